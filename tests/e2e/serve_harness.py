"""What the lmc serve tests (test_serve.py, test_serve_flags.py, test_serve_hostile.py,
test_serve_json.py, test_serve_tools.py, test_serve_tool_schemas.py) share: the model and API
key they serve, an lmc serve process on a free port (Server) and a test class whose tests share
one (ServedTestCase), `lmc run`'s text to compare with, a /metrics value, and the runner that
sets lmc's path and skips (77) when the model is absent.
"""
import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "models", "weights", "SmolLM2-135M-Instruct.Q4_1.gguf")
KEY = "test-key"
PROMPTS = ["The capital of France is", "Once upon a time", "def fibonacci(n):", "The three primary colors are",
           "In 1969, the first", "Water boils at", "My favourite book is", "A compiler turns"]
LMC = None


def started(argv, env=None):
    """An lmc serve command line started: its process, the port it says it serves on, and its
    stderr's lines (kept growing by a thread, for the assertions)."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=dict(os.environ, **env) if env else None)
    err = []
    deadline = time.time() + 120
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line:
            raise RuntimeError("lmc serve exited:\n" + "".join(err))
        err.append(line)
        m = re.search(r"on http://127\.0\.0\.1:(\d+)", line)
        if m:
            threading.Thread(target=lambda: err.extend(proc.stderr), daemon=True).start()
            return proc, int(m.group(1)), err
    raise RuntimeError("lmc serve did not start")


class Server:
    """An lmc serve process on a free port; stderr is kept for the assertions."""

    def __init__(self, *flags, env=None):
        self.proc, self.port, self.err = started([LMC, "serve", MODEL, "--port", "0", "--api-key", KEY, *flags], env)

    def request(self, method, path, body=None, key=KEY, raw=None, timeout=120):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if key:
            headers["Authorization"] = "Bearer " + key
        c.request(method, path, body=raw if raw is not None else (json.dumps(body) if body is not None else None),
                  headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, data

    def client(self):
        import openai
        return openai.OpenAI(base_url=f"http://127.0.0.1:{self.port}/v1", api_key=KEY, max_retries=0)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=60)


class ServedTestCase(unittest.TestCase):
    """Tests that share one lmc serve, started with FLAGS, and its openai client."""
    FLAGS = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(*cls.FLAGS)
        cls.client = cls.server.client()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()


def lmc_run_text(prompt, n):
    out = subprocess.run([LMC, "run", MODEL, "--prompt", prompt, "--max-tokens", str(n)], capture_output=True,
                         text=True, check=True).stdout
    return out[len(prompt):].rstrip("\n")


def self_metric(server, name):
    _, text = server.request("GET", "/metrics")
    return float(re.search(rf"^{name} (\S+)$", text.decode(), re.M).group(1))


def main(model=MODEL):
    """Runs the tests of the script that was started (test_serve_json.py serves another model)."""
    global LMC, MODEL
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    args, rest = ap.parse_known_args()
    LMC = os.path.abspath(args.lmc)
    MODEL = model
    if not os.path.exists(MODEL):
        print(f"SKIP: {MODEL} is absent (scripts/setup.sh installs it)")
        return 77
    r = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    return 0 if r.wasSuccessful() else 1
