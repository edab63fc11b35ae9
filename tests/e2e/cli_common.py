"""What the lmc command-line tests (test_cli.py, test_cli_models.py) share: the models they
run, lmc run as a subprocess, skipping when weights are absent, one compiled artifact for the
tests that only run it, and the runner that sets lmc's path and a clean work directory.
"""
import argparse
import os
import subprocess
import sys
import unittest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LLAMA_YAML = os.path.join(SOURCE, "models", "llama.yaml")
GEMMA_YAML = os.path.join(SOURCE, "models", "gemma3.yaml")
GPT2_YAML = os.path.join(SOURCE, "models", "gpt2.yaml")
LLAMA_GGUF = os.path.join(SOURCE, "models", "weights", "SmolLM2-135M-Instruct.Q4_1.gguf")
GEMMA_GGUF = os.path.join(SOURCE, "models", "weights", "gemma-3-270m-q4_k_m.gguf")
PROMPT = "The capital of France is"

LMC = None
WORK = None


def lmc(*args, stdin=None, cwd=None, env=None):
    return subprocess.run([LMC, *args], capture_output=True, text=True, input=stdin, timeout=600, cwd=cwd,
                          env=None if env is None else {**os.environ, **env})


def needs(*paths):
    absent = [p for p in paths if not os.path.exists(p)]
    return unittest.skipUnless(not absent, f"{', '.join(absent)} absent")


class Artifact:
    """One compiled artifact shared by the tests that only run it."""
    path = None
    result = None

    @classmethod
    def get(cls):
        if cls.path is None:
            cls.path = os.path.join(WORK, "cli-llama.lmc")
            cls.result = lmc("compile", LLAMA_YAML, "-o", cls.path)
        return cls.path, cls.result


def main(work_name):
    """Runs the calling script's tests (unittest.main of __main__) with --lmc and a fresh
    --work-dir/`work_name`."""
    global LMC, WORK
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    ap.add_argument("--work-dir", required=True)
    args, rest = ap.parse_known_args()
    LMC = os.path.abspath(args.lmc)
    WORK = os.path.join(args.work_dir, work_name)
    os.makedirs(WORK, exist_ok=True)
    for f in os.listdir(WORK):
        os.remove(os.path.join(WORK, f))
    unittest.main(argv=[sys.argv[0], "-v"] + rest)
