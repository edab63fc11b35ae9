#!/usr/bin/env python3
"""llama.cpp's own server test suite (tools/server/tests in the llama.cpp that llama-cpp-python
0.3.36 vendors, its sdist on PyPI) run against `lmc serve`, as a llama-server user would try it:
the suite unchanged but for the model, which its presets would download from Hugging Face and
here is SmolLM2-135M-Instruct's GGUF (`--hf-repo R` becomes `--model FILE`, `--hf-file F`
nothing), and its session fixture that starts every preset once only to download it; the
port comes from PORT, as the suite reads it. LLAMA_SERVER_BIN_PATH is a two-line script that
runs `lmc serve "$@"`: llama-server's command lines reach lmc untranslated. With --server-bin
it is that binary itself (llama-server, to measure the list lmc is held to).

A whole run is the suite as its own tests.sh runs it: `-m "not slow"`, leaving out the tests of
real models it would fetch from Hugging Face (here they would all be SmolLM2 anyway).

Fails when a test of the expected list (--expect; by default llama_server_suite_passes.txt,
beside this file, the tests lmc passes) does not pass, printing each one's first assertion
line. --record writes that list from a run of the whole suite, --record-to FILE another list
(llama_server_passes.txt is llama-server's). The sdist, the suite and a virtualenv with its
requirements are cached in --work (network to PyPI on first use only); with no network and no
cache, or without the model, it skips (77).

  llama_server_suite.py --lmc BUILD/tools/lmc --work BUILD/peer_suite [--record] [-k EXPR]
  llama_server_suite.py --server-bin LLAMA_CPP_BUILD/bin/llama-server --work DIR --record-to FILE
"""
import argparse
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
import xml.etree.ElementTree as ET

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
MODEL = os.path.join(ROOT, "models", "weights", "SmolLM2-135M-Instruct.Q4_1.gguf")
PASSES = os.path.join(HERE, "llama_server_suite_passes.txt")
SDIST = "llama-cpp-python==0.3.36"
# pip bounded, so that a machine without network skips in seconds rather than retrying for minutes.
PIP_BOUNDS = ["--timeout", "30", "--retries", "1"]
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
        if run([sys.executable, "-m", "pip", "download", *PIP_BOUNDS, "--no-deps", "--no-binary", "llama-cpp-python",
                SDIST, "-d", sdists]).returncode != 0:
            skip("pip could not fetch " + SDIST + " (no network to PyPI?)")
    tarball = os.path.join(sdists, next(n for n in os.listdir(sdists) if n.endswith(".tar.gz")))
    shutil.rmtree(os.path.join(work, "llama.cpp"), ignore_errors=True)
    with tarfile.open(tarball) as tar:
        # Plain files and folders inside the two parts only: nothing to write elsewhere.
        members = [m for m in tar.getmembers() if m.name.startswith(tuple(TREE + p for p in PARTS))
                   and (m.isfile() or m.isdir()) and ".." not in m.name.split("/")]
        for m in members:
            m.name = m.name[len(TREE):]
        # tarfile's own "data" filter too where this Python has it (3.11.4 on; Debian 12 has 3.11.2).
        safe = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
        tar.extractall(os.path.join(work, "llama.cpp"), members=members, **safe)
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
        requirements = os.path.join(suite, "requirements.txt")
        if run([python, "-m", "pip", "install", *PIP_BOUNDS, "-q", "-r", requirements]).returncode:
            shutil.rmtree(venv, ignore_errors=True)
            skip("pip could not install the suite's requirements (no network to PyPI?)")
        open(done, "w").close()
    return python


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def results(junit):
    """{test id: None when it passed, else its first assertion line} from pytest's JUnit XML (ids as
    `unit/test_x.py::test_y[params]`)."""
    out = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        path = case.get("classname", "").replace(".", "/") + ".py"
        why = None
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                text = (child.get("message") or child.text or child.tag).strip()
                why = f"{child.tag}: {text.splitlines()[0] if text else child.tag}"
                break
        if why and "Server process died" in why:
            # What the server said as it stopped: its last line of output, not the harness's.
            harness = ("Stopping server", "tests:", "server pid=", "---")
            said = [line for line in "".join(out.text or "" for out in case.iter("system-out")).splitlines()
                    if line.strip() and not line.startswith(harness)]
            why += f" ({said[-1].strip()})" if said else ""
        out[f"{path}::{case.get('name')}"] = why
    return out


def shown(path):
    """A path as the list's header names it: relative inside the project, else its last two parts."""
    path = os.path.abspath(path)
    if path.startswith(ROOT + os.sep):
        return os.path.relpath(path, ROOT)
    return os.path.join("...", *path.split(os.sep)[-2:])


def write_list(path, passed, got, args, binary):
    """The tests that passed, under a header naming what ran them and how."""
    files = len({t.split("::")[0] for t in got})
    try:
        version = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60)
        version = [line for line in (version.stdout + version.stderr).splitlines() if line.strip()][:2]
    except (OSError, subprocess.TimeoutExpired):
        version = []
    threads = os.environ.get("LLAMA_ARG_THREADS")
    command = ([f"LLAMA_ARG_THREADS={threads}"] if threads else []) + ["tests/peer/llama_server_suite.py"]
    command += ["--server-bin", shown(args.server_bin)] if args.server_bin else ["--lmc", shown(args.lmc)]
    command += ["--record-to", shown(path)] if args.record_to else ["--record"]
    name = "llama-server" if args.server_bin else "lmc serve"
    with open(path, "w") as f:
        f.write("# llama.cpp's server tests (tools/server/tests of the llama.cpp that llama-cpp-python 0.3.36\n"
                f"# vendors) that {name} passes on {os.path.basename(MODEL)}:\n"
                f"# {len(passed)} of the {len(got)} tests not marked slow in {files} files.\n"
                f"# Written by `{' '.join(command)}`.\n")
        f.write("".join(f"# {os.path.basename(binary)} --version: {line}\n" for line in version))
        f.write("".join(t + "\n" for t in passed))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    under_test = ap.add_mutually_exclusive_group(required=True)
    under_test.add_argument("--lmc", help="lmc, run as `lmc serve` by a two-line script")
    under_test.add_argument("--server-bin", help="a llama-server binary, run as it is")
    ap.add_argument("--work", required=True, help="the cache: sdist, suite, virtualenv, logs")
    ap.add_argument("--expect", default=PASSES, help="the tests that must pass (default: %(default)s)")
    ap.add_argument("--record", action="store_true", help="run every test and write the list of those passing")
    ap.add_argument("--record-to", metavar="FILE", help="as --record, into FILE")
    ap.add_argument("-k", help="pytest's -k: only these tests")
    args = ap.parse_args()
    if not os.path.exists(MODEL):
        skip(f"{MODEL} is not there")
    start = time.monotonic()
    work = os.path.abspath(args.work)
    os.makedirs(work, exist_ok=True)
    suite = fetch_suite(work)
    python = suite_python(work, suite)
    if args.server_bin:
        server = binary = os.path.abspath(args.server_bin)
    else:
        binary = os.path.abspath(args.lmc)
        server = os.path.join(work, "lmc-server")
        with open(server, "w") as f:
            f.write('#!/bin/sh\nexec "$LMC_BIN" serve "$@"\n')
        os.chmod(server, 0o755)
    record = args.record_to or (PASSES if args.record else None)
    expected = [line.strip() for line in open(args.expect) if line.strip() and not line.startswith("#")]
    junit = os.path.join(work, "results.xml")
    env = dict(os.environ, LLAMA_SERVER_BIN_PATH=server, LMC_BIN=binary, LMC_SUITE_MODEL=MODEL, PORT=str(free_port()))
    # The servers' output kept in the XML: a server that stops at start says why there.
    pytest = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={junit}", "-o",
              "junit_logging=all"]
    if args.k:
        pytest += ["-k", args.k]
    log = os.path.join(work, "pytest.log")
    print(f"fetched in {time.monotonic() - start:.0f} s", flush=True)
    with open(log, "w") as out:
        run(pytest + (["-m", "not slow", "unit"] if record else expected), cwd=suite, env=env, stdout=out,
            stderr=subprocess.STDOUT, timeout=7200)
    got = results(junit)
    passed = sorted(t for t, why in got.items() if why is None)
    with open(os.path.join(work, "results.tsv"), "w") as f:
        f.write("".join(f"{t}\t{why or 'pass'}\n" for t, why in sorted(got.items())))
    name = "llama-server" if args.server_bin else "lmc serve"
    print(f"{name} passes {len(passed)} of {len(got)} tests run in {time.monotonic() - start:.0f} s (log: {log})")
    if record:
        write_list(record, passed, got, args, binary)
        return 0
    missing = [t for t in expected if t not in got or got[t] is not None]
    for t in missing:
        print(f"FAIL: {t}: {got.get(t) or 'not run'}")
    return 1 if missing and not args.k else 0


if __name__ == "__main__":
    sys.exit(main())
