#!/usr/bin/env python3
"""llama.cpp's own server test suite (tools/server/tests in the llama.cpp that llama-cpp-python
0.3.36 vendors, its sdist on PyPI) run against `lmc serve`, as a llama-server user would try it:
the suite unchanged but for the model, which its presets would download from Hugging Face and
here is SmolLM2-135M-Instruct's GGUF (`--hf-repo R` becomes `--model FILE`, `--hf-file F`
nothing), and its session fixture that starts every preset once only to download it; the
port comes from PORT, as the suite reads it. LLAMA_SERVER_BIN_PATH is a two-line script that
runs `lmc serve "$@"`: llama-server's command lines reach lmc untranslated.

Fails when a test of the recorded list (llama_server_suite_passes.txt, beside this file)
does not pass; --record writes the list from a run of the whole suite. The sdist, the suite
and a virtualenv with its requirements are cached in --work (network to PyPI on first use
only); with no network and no cache, or without the model, it skips (77).

  llama_server_suite.py --lmc BUILD/tools/lmc/lmc --work BUILD/peer_suite [--record] [-k EXPR]
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODEL = os.path.join(ROOT, "models", "weights", "SmolLM2-135M-Instruct.Q4_1.gguf")
PASSES = os.path.join(HERE, "llama_server_suite_passes.txt")
SDIST = "llama-cpp-python==0.3.36"
TREE = "llama_cpp_python-0.3.36/vendor/llama.cpp/"
# The suite, and the chat templates its tests name by path from it (../../../models/templates).
PARTS = ("tools/server/tests/", "models/templates/")
# The two places the suite names a model to download, and what they become.
PATCHES = [("utils.py", 'server_args.extend(["--hf-repo", self.model_hf_repo])',
            'server_args.extend(["--model", os.environ["LMC_SUITE_MODEL"]])'),
           ("utils.py", 'server_args.extend(["--hf-file", self.model_hf_file])', "pass"),
           ("conftest.py", "        ServerPreset.load_all()", "        pass  # nothing to download")]


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(77)


def run(args, **kw):
    print("+", " ".join(args), flush=True)
    return subprocess.run(args, **kw)


def fetch_suite(work):
    """The suite, patched, in work/llama.cpp (the sdist fetched by pip once)."""
    suite = os.path.join(work, "llama.cpp", PARTS[0])
    if os.path.exists(os.path.join(suite, "patched")):
        return suite
    sdists = os.path.join(work, "sdist")
    if not os.path.isdir(sdists) or not any(n.endswith(".tar.gz") for n in os.listdir(sdists)):
        # The source package alone: its build dependencies may come as wheels.
        if run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", "llama-cpp-python", SDIST,
                "-d", sdists]).returncode != 0:
            skip("pip could not fetch " + SDIST + " (no network to PyPI?)")
    tarball = os.path.join(sdists, next(n for n in os.listdir(sdists) if n.endswith(".tar.gz")))
    shutil.rmtree(os.path.join(work, "llama.cpp"), ignore_errors=True)
    with tarfile.open(tarball) as tar:
        members = [m for m in tar.getmembers() if m.name.startswith(tuple(TREE + p for p in PARTS))]
        for m in members:
            m.name = m.name[len(TREE):]
        tar.extractall(os.path.join(work, "llama.cpp"), members=members, filter="data")
    for name, old, new in PATCHES:
        path = os.path.join(suite, name)
        text = open(path).read()
        if old not in text:
            sys.exit(f"{path}: '{old}' is not there to change")
        open(path, "w").write(text.replace(old, new))
    open(os.path.join(suite, "patched"), "w").close()
    return suite


def suite_python(work, suite):
    """A virtualenv with the suite's requirements.txt (made once)."""
    venv = os.path.join(work, "venv")
    python = os.path.join(venv, "bin", "python3")
    done = os.path.join(venv, "installed")
    if not os.path.exists(done):
        shutil.rmtree(venv, ignore_errors=True)
        run([sys.executable, "-m", "venv", venv], check=True)
        if run([python, "-m", "pip", "install", "-q", "-r", os.path.join(suite, "requirements.txt")]).returncode:
            shutil.rmtree(venv, ignore_errors=True)
            skip("pip could not install the suite's requirements (no network to PyPI?)")
        open(done, "w").close()
    return python


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def results(junit):
    """{test id: passed} from pytest's JUnit XML (ids as `unit/test_x.py::test_y[params]`)."""
    out = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        path = case.get("classname", "").replace(".", "/") + ".py"
        failed = any(child.tag in ("failure", "error", "skipped") for child in case)
        out[f"{path}::{case.get('name')}"] = not failed
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lmc", required=True)
    ap.add_argument("--work", required=True, help="the cache: sdist, suite, virtualenv, logs")
    ap.add_argument("--record", action="store_true", help="run every test and write the list of those passing")
    ap.add_argument("-k", help="pytest's -k: only these tests")
    args = ap.parse_args()
    if not os.path.exists(MODEL):
        skip(f"{MODEL} is not there")
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    suite = fetch_suite(work)
    python = suite_python(work, suite)
    wrapper = os.path.join(work, "lmc-server")
    with open(wrapper, "w") as f:
        f.write('#!/bin/sh\nexec "$LMC_BIN" serve "$@"\n')
    os.chmod(wrapper, 0o755)
    expected = [line.strip() for line in open(PASSES) if line.strip() and not line.startswith("#")]
    tests = ["unit"] if args.record else expected
    junit = os.path.join(work, "results.xml")
    env = dict(os.environ, LLAMA_SERVER_BIN_PATH=wrapper, LMC_BIN=os.path.abspath(args.lmc), LMC_SUITE_MODEL=MODEL,
               PORT=str(free_port()))
    pytest = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}"]
    if args.k:
        pytest += ["-k", args.k]
    log = os.path.join(work, "pytest.log")
    with open(log, "w") as out:
        run(pytest + tests, cwd=suite, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=3600)
    got = results(junit)
    passed = sorted(t for t, ok in got.items() if ok)
    print(f"lmc serve passes {len(passed)} of {len(got)} tests run (log: {log})")
    if args.record:
        with open(PASSES, "w") as f:
            f.write("# llama.cpp's server tests (llama-cpp-python 0.3.36) that lmc serve passes on SmolLM2-135M-Instruct;\n"
                    "# written by `llama_server_suite.py --record`.\n")
            f.write("".join(t + "\n" for t in passed))
        return 0
    missing = [t for t in expected if not got.get(t)]
    for t in missing:
        print(f"FAIL: {t}")
    return 1 if missing and not args.k else 0


if __name__ == "__main__":
    sys.exit(main())
