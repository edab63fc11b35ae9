#!/usr/bin/env python3
"""Hostile and broken inputs to every lmc command, one table row each.

A row is a command line, the crafted files it reads, the exit code it must give and a regex
the ONE line it prints on stderr must match (the file and the place, then "error:"). Every
row also checks that nothing crashed (no signal, nothing that looks like a sanitizer report,
an uncaught exception or a backtrace) and that nothing was left behind: each row runs in a
fresh directory, and afterwards that directory holds exactly the files the row wrote and
nothing else — no partial artifact, no temporary file.

  test_bad_inputs.py --lmc build/tools/lmc --work <scratch dir> [-k substring]

The rows are in one module per kind of input, bad_gguf.py, bad_mmproj.py, bad_safetensors.py,
bad_ir.py, bad_yaml.py, bad_commands.py, bad_artifacts.py and bad_hf_folders.py, made of
bad_input_kit.py's pieces; this runs them.

The rows' models come from make_tiny_model.py (a 2-layer llama with random weights). lmc's
artifact key is <work>/shared/user.key (LMC_KEY_FILE), so the table never touches ~/.config.
"""
import argparse
import os
import re
import resource
import shutil
import signal
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bad_input_kit as kit  # noqa: E402
from bad_input_kit import FIFO, ROOT  # noqa: E402
import bad_artifacts  # noqa: E402
import bad_commands  # noqa: E402
import bad_gguf  # noqa: E402
import bad_hf_folders  # noqa: E402
import bad_ir  # noqa: E402
import bad_mmproj  # noqa: E402
import bad_safetensors  # noqa: E402
import bad_yaml  # noqa: E402
import make_tiny_model  # noqa: E402

CRASH_SIGNS = re.compile(r"Traceback|terminate called|what\(\):|Aborted|Segmentation|core dumped|Sanitizer|"
                         r"runtime error:|^\s*#\d+ 0x|std::|basic_string|filesystem error", re.M)

KINDS = (bad_gguf, bad_mmproj, bad_safetensors, bad_ir, bad_yaml, bad_commands, bad_artifacts, bad_hf_folders)


def rows():
    """Every row of the table, kind by kind."""
    return [row for kind in KINDS for row in kind.rows()]


# ---------------------------------------------------------------- running

def check(row, lmc, work):
    d = os.path.join(work, row.name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, make in row.files.items():
        content = make()
        if content is FIFO:
            os.mkfifo(os.path.join(d, name))
            continue
        with open(os.path.join(d, name), "wb") as f:
            f.write(content)
    args = [a.replace("{dir}", d).replace("{tiny}", kit.SHARED).replace("{root}", ROOT) for a in row.args]
    if row.setup:
        row.setup(d)
    before = set(os.listdir(d))
    p = subprocess.run([lmc] + args, input=row.stdin if row.stdin is not None else "", capture_output=True,
                       text=True, errors="replace", timeout=300, preexec_fn=limits(row))
    problems = []
    if p.returncode < 0:
        problems.append(f"killed by signal {-p.returncode}")
    elif p.returncode != row.exit:
        problems.append(f"exit code {p.returncode}, expected {row.exit}")
    if CRASH_SIGNS.search(p.stdout + p.stderr):
        problems.append("output looks like a crash report")
    if "\x1b" in p.stdout + p.stderr:
        problems.append("printed a terminal escape sequence from the input")
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    if row.exit != 0:
        if len(lines) != 1:
            problems.append(f"{len(lines)} lines on stderr, expected exactly one")
        elif not re.search(row.stderr, lines[0]):
            problems.append(f"stderr line does not match /{row.stderr}/")
        if p.stdout:
            problems.append("an error run printed to stdout")
    elif row.stderr is not None and not any(re.search(row.stderr, l) for l in lines):
        problems.append(f"no stderr line matches /{row.stderr}/")
    if row.absent and any(re.search(row.absent, l) for l in lines):
        problems.append(f"a stderr line matches /{row.absent}/")
    if row.stdout is not None:
        if not re.search(row.stdout, p.stdout):
            problems.append(f"stdout does not match /{row.stdout}/")
        if re.search(r"[\x00-\x09\x0b-\x1f\x7f\x80-\x9f]", p.stdout):
            problems.append("stdout holds a control character")
    left = sorted(set(os.listdir(d)) - before)
    if left:
        problems.append(f"left behind: {left}")
    if problems:
        return f"FAIL {row.name}: {'; '.join(problems)}\n  $ lmc {' '.join(args)}\n" + \
               "".join(f"  stderr| {l}\n" for l in p.stderr.splitlines()[:20]) + \
               "".join(f"  stdout| {l}\n" for l in p.stdout.splitlines()[:5])
    shutil.rmtree(d)
    return None


def limits(row):
    """What the lmc process runs under: a file size limit makes writes fail as on a full disk
    (EFBIG rather than ENOSPC; the same path through the code)."""
    if row.file_size_limit is None:
        return None

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (row.file_size_limit, row.file_size_limit))
    return apply


def make_shared(lmc):
    """The tiny model every row shares: tiny.gguf, tiny.yaml, tiny.lmc (sealed with user.key,
    which lmc creates), q1_0_weight.gguf, and other.key, someone else's artifact key."""
    make_tiny_model.main(kit.SHARED, micro=False)
    with open(os.open(kit.OTHER_KEY, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    subprocess.run([lmc, "compile", os.path.join(kit.SHARED, "tiny.yaml"), "-o", os.path.join(kit.SHARED, "tiny.lmc")],
                   check=True, capture_output=True)
    bad_yaml.write_q1_0_weight_gguf(os.path.join(kit.SHARED, "q1_0_weight.gguf"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("-k", default="", help="run only rows whose name contains this")
    a = ap.parse_args()
    lmc = os.path.abspath(a.lmc)
    os.makedirs(a.work, exist_ok=True)
    kit.use_shared(os.path.join(os.path.abspath(a.work), "shared"))
    os.environ["LMC_KEY_FILE"] = kit.USER_KEY
    make_shared(lmc)
    failures, ran = [], 0
    for row in rows():
        if a.k not in row.name:
            continue
        ran += 1
        result = check(row, lmc, os.path.abspath(a.work))
        print(result or f"ok   {row.name}", flush=True)
        if result:
            failures.append(row.name)
    print(f"{ran - len(failures)}/{ran} rows passed" + (f"; failed: {', '.join(failures)}" if failures else ""))
    return 1 if failures or ran == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
