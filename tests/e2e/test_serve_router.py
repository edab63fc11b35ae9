"""lmc serve without a model and with --models-dir: llama-server's router, serving three models
of a folder (two random Qwen checkpoints' GGUFs, the fixtures e2e_gguf_qwen2 and e2e_gguf_qwen3,
one of them twice: as a file and in a subfolder; a projector beside them is no model).

  * each model loaded by the request that names it, and answering (whole and streamed); a
    client that leaves a stream ends its generation in the model's server;
  * /models and /v1/models: every model, its status, llama-server's shape;
  * --models-max 2: the third model unloads the least recently used, each model is loaded
    once, and a model loaded again opens the compile cache's artifact;
  * POST /models/load and /models/unload, and their errors (unknown, running, not running);
    requests for a model that is loading wait for that one load; two models with room load at once;
  * --models-max 1 and --no-models-autoload: a 400 until loaded; a model answering a stream
    is not unloaded to make room: the other request waits for the stream's end; a model kept
    busy by two clients gives its room up all the same (its new requests wait their turn);
  * --sleep-idle-seconds unloads an idle model; --api-key is the router's, its models' servers
    answer it alone; a model's server that dies is seen;
  * --models-preset: [*]'s flags and a model's, a model of the file's own, load-on-startup, a
    model whose flag its server refuses (a 503, and /models' failed and exit_code); presets that
    do not read exit 2 naming the file and line;
  * an unknown or missing model is a 400 with llama-server's message; bad flags exit 2 with a
    message naming them; SIGTERM stops the models' servers too.

  test_serve_router.py --lmc BUILD/tools/lmc --checkpoints BUILD/e2e/checkpoints
"""
import argparse
import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as h  # noqa: E402

CHECKPOINTS = None
KEY = "router-key"


def models_dir():
    """A folder of three models: a.gguf and c/ the Qwen2 checkpoint, b.gguf the Qwen3 one."""
    d = tempfile.mkdtemp(prefix="lmc-router-")
    os.symlink(os.path.join(CHECKPOINTS, "qwen2.gguf"), os.path.join(d, "a.gguf"))
    os.symlink(os.path.join(CHECKPOINTS, "qwen3.gguf"), os.path.join(d, "b.gguf"))
    os.mkdir(os.path.join(d, "c"))
    os.symlink(os.path.join(CHECKPOINTS, "qwen2.gguf"), os.path.join(d, "c", "model.gguf"))
    with open(os.path.join(d, "mmproj-f16.gguf"), "w") as f:  # a subfolder's would be its model's
        f.write("a projector, not a model")
    with open(os.path.join(d, "notes.txt"), "w") as f:
        f.write("not a model")
    return d


class Router:
    """An lmc serve router on a free port, its stderr kept (the models' servers' lines in it)."""

    def __init__(self, folder, *flags, key=None):
        argv = [h.LMC, "serve", "--models-dir", folder, "--port", "0", "-c", "1024", "-np", "2", *flags]
        self.key = key
        self.proc, self.port, self.err = h.started(argv + (["--api-key", key] if key else []))

    def request(self, method, path, body=None, key=None, timeout=120):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Content-Type": "application/json"}
        if key or self.key:
            headers["Authorization"] = "Bearer " + (key or self.key)
        c.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, json.loads(data) if data.startswith(b"{") else data

    def statuses(self):
        status, body = self.request("GET", "/models")
        assert status == 200, body
        return {m["id"]: m["status"]["value"] for m in body["data"]}

    def wait_status(self, model, want, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.statuses()[model] == want:
                return
            time.sleep(0.05)
        raise AssertionError(f"{model} never became {want}: {self.statuses()}")

    def log(self):
        return "".join(self.err)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=120)
        self.proc.stderr.close()
        return code


def complete(router, model, n=4):
    """A completion of `model`; n None: one that asks for no number of tokens."""
    body = {"model": model, "prompt": "Hello", "ignore_eos": True}
    return router.request("POST", "/v1/completions", body if n is None else dict(body, max_tokens=n))


class ThreeModels(unittest.TestCase):
    """--models-max 2 over three models: the tests run in order on one router."""

    @classmethod
    def setUpClass(cls):
        cls.dir = models_dir()
        cls.router = Router(cls.dir, "--models-max", "2")

    @classmethod
    def tearDownClass(cls):
        cls.router.stop()
        shutil.rmtree(cls.dir)

    def test_1_lists_the_folder(self):
        status, body = self.router.request("GET", "/models")
        self.assertEqual(status, 200)
        self.assertEqual(body["object"], "list")
        self.assertEqual([m["id"] for m in body["data"]], ["a", "b", "c"])
        for m in body["data"]:
            self.assertEqual((m["object"], m["source"], m["status"]["value"]), ("model", "models_dir", "unloaded"))
        self.assertTrue(body["data"][2]["path"].endswith(os.path.join("c", "model.gguf")))
        status, v1 = self.router.request("GET", "/v1/models")
        self.assertEqual([m["id"] for m in v1["data"]], ["a", "b", "c"])
        status, props = self.router.request("GET", "/props")
        self.assertEqual((props["role"], props["max_instances"], props["models_autoload"]), ("router", 2, True))

    def test_2_two_models_answer(self):
        status, body = complete(self.router, "a")
        self.assertEqual(status, 200, body)
        self.assertEqual((body["model"], body["usage"]["completion_tokens"]), ("a", 4))
        c = http.client.HTTPConnection("127.0.0.1", self.router.port, timeout=120)
        c.request("POST", "/v1/chat/completions",
                  json.dumps({"model": "b", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4,
                              "stream": True}), {"Content-Type": "application/json"})
        r = c.getresponse()
        self.assertEqual((r.status, r.getheader("Content-Type")), (200, "text/event-stream"))
        events = [line[6:] for line in r.read().decode().split("\n") if line.startswith("data: ")]
        c.close()
        self.assertEqual(events[-1], "[DONE]")
        chunks = [json.loads(e) for e in events[:-1]]
        self.assertEqual({ch["model"] for ch in chunks}, {"b"})
        self.assertEqual(chunks[-1]["choices"][0]["finish_reason"], "length")
        self.assertEqual(self.router.statuses(), {"a": "loaded", "b": "loaded", "c": "unloaded"})

    def test_3_third_unloads_least_recently_used(self):
        self.assertEqual(complete(self.router, "b")[0], 200)  # b used after a: a is the least recent
        status, body = complete(self.router, "c")
        self.assertEqual((status, body["model"]), (200, "c"))
        self.assertEqual(self.router.statuses(), {"a": "unloaded", "b": "loaded", "c": "loaded"})
        self.assertIn("lmc: unloading model a, the least recently used (--models-max 2)", self.router.log())
        for m in "abc":
            self.assertEqual(self.router.log().count(f"lmc: loading model {m} "), 1, self.router.log())
        status, listing = self.router.request("GET", "/models")
        args = {m["id"]: m["status"]["args"] for m in listing["data"]}
        self.assertEqual(args["a"][args["a"].index("--alias") + 1], "a")  # unloaded, its last command line kept
        self.assertNotIn("--models-dir", args["c"])  # the router's own flags are not its models'
        self.assertEqual(args["c"][args["c"].index("-c") + 1], "1024")  # the others are
        self.assertEqual(args["c"][args["c"].index("--alias") + 1], "c")

    def test_4_unknown_and_missing_model(self):
        status, body = complete(self.router, "nope")
        self.assertEqual((status, body["error"]["type"]), (400, "invalid_request_error"))
        self.assertEqual(body["error"]["message"], "model 'nope' not found")
        status, body = self.router.request("POST", "/v1/completions", {"prompt": "Hello"})
        self.assertEqual((status, body["error"]["message"]), (400, "model name is missing from the request"))
        status, body = self.router.request("GET", "/slots")
        self.assertEqual(status, 400)
        for method, path in (("POST", "/models"), ("DELETE", "/models?model=a"), ("GET", "/models/sse")):
            status, body = self.router.request(method, path, {"model": "a"} if method == "POST" else None)
            self.assertEqual((status, body["error"]["type"]), (501, "not_supported_error"), path)
        status, body = self.router.request("GET", "/props?model=b")
        self.assertEqual((status, body["model_alias"]), (200, "b"))

    def test_5_load_and_unload_routes(self):
        status, body = self.router.request("POST", "/models/unload", {"model": "b"})
        self.assertEqual((status, body), (200, {"success": True}))
        self.router.wait_status("b", "unloaded")
        status, body = self.router.request("POST", "/models/unload", {"model": "b"})
        self.assertEqual((status, body["error"]["message"]), (400, "model is not running"))
        status, body = self.router.request("POST", "/models/unload", {"model": "zz"})
        self.assertEqual(status, 400)
        status, body = self.router.request("POST", "/models/load", {"model": "a"})
        self.assertEqual((status, body), (200, {"success": True}))
        self.router.wait_status("a", "loaded")
        status, body = self.router.request("POST", "/models/load", {"model": "a"})
        self.assertEqual((status, body["error"]["message"]), (400, "model is already running"))
        status, body = self.router.request("POST", "/models/load", {"model": "zz"})
        self.assertEqual((status, body["error"]["type"]), (404, "not_found_error"))
        self.assertEqual(self.router.statuses(), {"a": "loaded", "b": "unloaded", "c": "loaded"})
        # a loaded twice, compiled (unless an earlier test had) once: the second load opened the compile cache's.
        self.assertEqual(self.router.log().count("lmc: loading model a "), 2)
        self.assertLessEqual(self.router.log().count("a.gguf: compiled"), 1)


    def test_6_client_leaving_frees_the_slot(self):
        c = http.client.HTTPConnection("127.0.0.1", self.router.port, timeout=120)
        c.request("POST", "/completion", json.dumps({"model": "c", "prompt": "Once", "n_predict": 3000,
                                                     "ignore_eos": True, "stream": True}))
        r = c.getresponse()
        self.assertTrue(r.readline().startswith(b"data: "))
        c.close()  # gone after its first piece: the model's server hears of it through the router
        deadline = time.time() + 30
        while not re.search(r"POST /completion 200 \d+ ms, prompt \d+ tokens \(\d+ cached\), \d+ generated, cancelled",
                            self.router.log()) and time.time() < deadline:
            time.sleep(0.05)
        self.assertRegex(self.router.log(), r"generated, cancelled")
        self.assertEqual(complete(self.router, "c")[0], 200)


    def test_7_requests_for_a_loading_model_share_its_load(self):
        self.assertEqual(self.router.statuses()["b"], "unloaded")
        loads = self.router.log().count("lmc: loading model b ")
        answers = []
        threads = [threading.Thread(target=lambda: answers.append(complete(self.router, "b")[0])) for _ in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(answers, [200, 200, 200])
        self.assertEqual(self.router.log().count("lmc: loading model b "), loads + 1)


class OneAtATime(unittest.TestCase):
    """--models-max 1 --no-models-autoload."""

    def setUp(self):
        self.dir = models_dir()
        self.router = Router(self.dir, "--models-max", "1", "--no-models-autoload")

    def tearDown(self):
        self.assertEqual(self.router.stop(), 0)
        shutil.rmtree(self.dir)

    def test_a_busy_model_stays_until_its_stream_ends(self):
        status, body = complete(self.router, "a")
        self.assertEqual((status, body["error"]["message"]), (400, "model is not loaded"))
        self.router.request("POST", "/models/load", {"model": "a"})
        self.router.wait_status("a", "loaded")
        self.assertEqual(complete(self.router, "a")[0], 200)
        # a streams 300 tokens; b, asked for meanwhile, must wait for them rather than end a's.
        stream = {}

        def read_stream():
            c = http.client.HTTPConnection("127.0.0.1", self.router.port, timeout=120)
            c.request("POST", "/completion", json.dumps({"model": "a", "prompt": "Once", "n_predict": 300,
                                                         "ignore_eos": True, "stream": True}))
            r = c.getresponse()
            stream["first"] = r.readline()
            stream["rest"] = r.read().decode()
            stream["done"] = time.time()
            c.close()
        t = threading.Thread(target=read_stream)
        t.start()
        while "first" not in stream:
            time.sleep(0.01)
        status, body = self.router.request("POST", "/models/load", {"model": "b"})
        self.assertEqual(status, 200)
        self.router.wait_status("b", "loaded")
        loaded_at = time.time()
        t.join()
        last = json.loads([line for line in stream["rest"].split("\n") if line.startswith("data: ")][-1][6:])
        self.assertEqual((last["stop"], last["tokens_predicted"]), (True, 300))
        self.assertLessEqual(stream["done"], loaded_at)
        self.assertEqual(self.router.statuses(), {"a": "unloaded", "b": "loaded", "c": "unloaded"})


class BusyModel(unittest.TestCase):
    def test_a_model_kept_busy_still_gives_its_room_up(self):
        """--models-max 1, two clients keeping a busy without a gap: b is answered all the same (a
        takes no new request until its running ones end), and a's clients are all answered too."""
        folder = models_dir()
        router = Router(folder, "--models-max", "1")
        try:
            self.assertEqual(complete(router, "a")[0], 200)
            done, statuses = threading.Event(), []

            def keep_busy():
                while not done.is_set():
                    statuses.append(router.request("POST", "/completion", {"model": "a", "prompt": "Once",
                                                                           "n_predict": 40, "ignore_eos": True})[0])
            clients = [threading.Thread(target=keep_busy) for _ in range(2)]
            for t in clients:
                t.start()
            time.sleep(0.5)
            t0 = time.time()
            status, body = complete(router, "b")
            waited = time.time() - t0
            done.set()
            for t in clients:
                t.join()
            self.assertEqual(status, 200, body)
            self.assertLess(waited, 60)
            self.assertIn("lmc: model a takes no new requests until its running ones end", router.log())
            self.assertEqual(set(statuses), {200})
        finally:
            self.assertEqual(router.stop(), 0)
            shutil.rmtree(folder)


    def test_two_models_load_at_once(self):
        """Room for both: the second model's load does not wait for the first's."""
        folder = models_dir()
        router = Router(folder)
        try:
            answers = []
            threads = [threading.Thread(target=lambda m=m: answers.append(complete(router, m)[0])) for m in "ab"]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(answers, [200, 200])
            events = re.findall(r"lmc: (loading model|model) [ab] (?:\(|loaded)", router.log())
            self.assertEqual(events[:2], ["loading model", "loading model"], router.log())
        finally:
            self.assertEqual(router.stop(), 0)
            shutil.rmtree(folder)


class IdleKeyAndEnd(unittest.TestCase):
    def test_idle_unload_key_and_dead_server(self):
        folder = models_dir()
        router = Router(folder, "--sleep-idle-seconds", "1", key=KEY)
        try:
            self.assertEqual(complete(router, "a", 1)[0], 200)
            self.assertEqual(router.request("POST", "/v1/completions", {"model": "a"}, key="wrong")[0], 401)
            self.assertEqual(router.request("GET", "/models", key="wrong")[0], 401)
            router.wait_status("a", "unloaded", timeout=10)
            self.assertIn("lmc: unloading model a, idle for 1 s", router.log())
            # The model's server answers the router's key, not the client's.
            self.assertEqual(complete(router, "b", 1)[0], 200)
            port = int(re.findall(r"model b loaded in [0-9.]+ s, its server on 127\.0\.0\.1:(\d+)", router.log())[-1])
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("GET", "/v1/models", headers={"Authorization": "Bearer " + KEY})
            self.assertEqual(c.getresponse().status, 401)
            c.close()
            # b's server killed: the router sees it gone, says how it ended, and loads b again when asked.
            os.kill(child_of(router.proc.pid, "b"), signal.SIGKILL)
            router.wait_status("b", "unloaded", timeout=10)
            status = [m["status"] for m in router.request("GET", "/models")[1]["data"] if m["id"] == "b"][0]
            self.assertEqual((status["failed"], status["exit_code"]), (True, 128 + signal.SIGKILL))
            self.assertEqual(complete(router, "b", 1)[0], 200)
            port = int(re.findall(r"model b loaded in [0-9.]+ s, its server on 127\.0\.0\.1:(\d+)", router.log())[-1])
        finally:
            self.assertEqual(router.stop(), 0)
            shutil.rmtree(folder)
        # The router's models' servers end with it.
        with self.assertRaises(OSError):
            socket_to(port)


def child_of(parent, model):
    """The pid of the router's (`parent`'s) server of `model`."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = open(f"/proc/{pid}/stat").read()
            argv = open(f"/proc/{pid}/cmdline").read().split("\0")
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and "--alias" in argv and \
                argv[argv.index("--alias") + 1] == model:
            return int(pid)
    raise AssertionError(f"no server of {model} under {parent}")


def socket_to(port):
    import socket
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.close()


class Presets(unittest.TestCase):
    """--models-preset: flags for every model and for one, a model of the file's own, one loaded at
    startup, one whose flag its server refuses (its load fails, and /models says how)."""

    def test_presets(self):
        folder = models_dir()
        preset = os.path.join(folder, "presets.ini")
        with open(preset, "w") as f:
            f.write("version = 1\n[*]\nc = 1024\n\n[a]\nload-on-startup = true\ntemp = 0\n\n"
                    f"[own]\nmodel = {os.path.join(CHECKPOINTS, 'qwen3.gguf')}\nn-predict = 2\nstop-timeout = 3\n\n"
                    f"[broken]\nmodel = {os.path.join(CHECKPOINTS, 'qwen2.gguf')}\ntop-k = lots\n")
        router = Router(folder, "--models-preset", preset)
        try:
            router.wait_status("a", "loaded")  # at startup, unasked
            status, body = router.request("GET", "/models")
            by_id = {m["id"]: m for m in body["data"]}
            self.assertEqual(sorted(by_id), ["a", "b", "broken", "c", "own"])
            self.assertEqual((by_id["own"]["source"], by_id["a"]["source"]), ("preset", "models_dir"))
            args = by_id["a"]["status"]["args"]
            self.assertEqual(args[2:6], ["-c", "1024", "--temp", "0"])  # the preset's, before the command line's
            self.assertEqual(args[args.index("-c", 3) + 1], "1024")  # -c 1024 -np 2: the command line's, after
            status, body = complete(router, "own", None)  # the preset's n-predict: a request's default
            self.assertEqual((status, body["usage"]["completion_tokens"]), (200, 2))
            status, body = complete(router, "broken")
            self.assertEqual((status, body["error"]["type"]), (503, "unavailable_error"))
            self.assertIn("model 'broken' failed to load", body["error"]["message"])
            broken = [m for m in router.request("GET", "/models")[1]["data"] if m["id"] == "broken"][0]["status"]
            self.assertEqual((broken["value"], broken["failed"], broken["exit_code"]), ("unloaded", True, 2))
        finally:
            self.assertEqual(router.stop(), 0)
            shutil.rmtree(folder)

    def test_presets_that_do_not_read(self):
        folder = models_dir()
        preset = os.path.join(folder, "bad.ini")
        cases = [("[a]\nport = 9\n", "bad.ini:2: 'port' is the router's own flag"),
                 ("[a]\nLLAMA_ARG_CTX_SIZE = 9\n", "bad.ini:2: lmc reads a preset's flags by name"),
                 ("[a]\nfoo-bar = 1\n", "bad.ini:2: unknown option '--foo-bar'"),
                 ("c = 9\n", "bad.ini:1: 'c' before any [section]"),
                 ("[a]\njust words\n", "bad.ini:2: expected KEY = VALUE"),
                 ("[zz]\nc = 9\n", "bad.ini:1: [zz] is no model of --models-dir and names no file"),
                 ("[zz]\nmodel = /nonexistent.gguf\n", "bad.ini:2: model '/nonexistent.gguf' is not there"),
                 ("[a]\nstop-timeout = soon\n", "bad.ini:2: stop-timeout is a number of seconds")]
        try:
            for text, message in cases:
                with open(preset, "w") as f:
                    f.write(text)
                r = subprocess.run([h.LMC, "serve", "--models-dir", folder, "--models-preset", preset, "--port", "0"],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(r.returncode, 2, (text, r.stderr))
                self.assertIn(message, r.stderr)
        finally:
            shutil.rmtree(folder)


class BadFlags(unittest.TestCase):
    def refused(self, *argv):
        r = subprocess.run([h.LMC, "serve", *argv], capture_output=True, text=True, timeout=60)
        self.assertEqual(r.returncode, 2, r.stderr)
        return r.stderr

    def test_bad_flags(self):
        self.assertIn("--models-dir: '/nonexistent/models' is not a folder", self.refused("--models-dir",
                                                                                            "/nonexistent/models"))
        model = os.path.join(CHECKPOINTS, "qwen2.gguf")
        self.assertIn("--models-dir is for lmc serve without a model", self.refused(model, "--models-dir", "/tmp"))
        self.assertIn("--models-max", self.refused("--models-dir", "/tmp", "--models-max", "-1"))
        self.assertIn("not both", self.refused("--models-autoload", "--no-models-autoload"))


def main():
    global CHECKPOINTS
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    ap.add_argument("--checkpoints", required=True)
    args, rest = ap.parse_known_args()
    h.LMC = os.path.abspath(args.lmc)
    CHECKPOINTS = os.path.abspath(args.checkpoints)
    r = unittest.main(argv=[sys.argv[0]] + rest, exit=False, verbosity=2).result
    return 0 if r.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
