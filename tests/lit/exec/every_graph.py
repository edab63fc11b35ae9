"""Runs the default pipeline on every graph of lmc's lit tests that has a linear.

Each graph (a test file that is one graph, each part of a --split-input-file test and each
.lir part of a split-file test) that lmc opt reads and verifies, and whose text has a
linear or an experts' linear, is run by `lmc exec --passes=default --against=none` on
seeded inputs and weights: the default pipeline must accept it, every op it leaves must
have a kernel, and the results must agree with the graph as written. The tolerance is
0.05, not exec's 0.03 for q8_0 against f32 weights: a graph of several layers compounds
their rounding (a two-layer Gemma 3 block's logits: 0.043). A graph whose own test expects
an error is not read; one that lmc exec cannot run even as written (an i32 argument other
than tokens, positions and seq; a param typed in blocks; a scale to infinity) is skipped
and said so. Each run is bounded by --timeout.

Usage: every_graph.py TESTS_DIR WORK_DIR [--timeout SECONDS]
"""
import argparse
import os
import shutil
import re
import subprocess
import sys
import time

LINEAR = re.compile(r"=\s*(expert_)?linear\b")
SPLIT_FILE = re.compile(r"^(?:.|//)--- (\S+)$", re.M)
SPLIT_INPUT = re.compile(r"^// -----\s*$", re.M)
EXEC = ["lmc", "exec", "--dim", "T=5,L=2,C=64", "--tolerance", "0.05"]


def graphs(path):
    """(name, text) of each graph in the test file at `path`."""
    with open(path, encoding="utf-8") as f:
        text = f.read()
    marks = list(SPLIT_FILE.finditer(text))
    if marks:
        for i, m in enumerate(marks):
            end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
            if m.group(1).endswith(".lir"):
                yield f"{path}:{m.group(1)}", text[m.end():end]
        return
    parts = SPLIT_INPUT.split(text)
    for i, part in enumerate(parts):
        yield (f"{path}:part{i + 1}" if len(parts) > 1 else path), part


def run(argv, timeout):
    return subprocess.run(argv, capture_output=True, text=True, timeout=timeout)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("tests")
    parser.add_argument("work")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    failures, skipped, ran, start = [], [], 0, time.monotonic()
    for root, _, files in sorted(os.walk(args.tests)):
        for file in sorted(f for f in files if f.endswith(".lir")):
            for name, text in graphs(os.path.join(root, file)):
                if not LINEAR.search(text) or "graph @" not in text:
                    continue
                graph = os.path.join(args.work, f"{ran}.lir")
                with open(graph, "w", encoding="utf-8") as f:
                    f.write(text)
                if run(["lmc", "opt", graph], args.timeout).returncode != 0:
                    continue  # not a graph lmc reads: an error test's
                ran += 1
                try:
                    r = run(EXEC + [graph, "--passes=default", "--against=none"], args.timeout)
                    if r.returncode == 0:
                        continue
                    written = run(EXEC + [graph, "--passes=none", "--against=none"], args.timeout)
                    if written.returncode != 0:
                        why = (written.stderr.strip() or written.stdout.strip()).splitlines()[-1]
                        skipped.append(f"{name}: lmc exec does not run it as written either: {why}")
                    else:
                        failures.append(f"{name}: exit {r.returncode}\n{r.stdout}{r.stderr}")
                except subprocess.TimeoutExpired:
                    failures.append(f"{name}: more than {args.timeout} s")
    for s in skipped:
        print(f"skipped {s}")
    for f in failures:
        print(f"FAIL {f}")
    agreed = ran - len(failures) - len(skipped)
    print(f"every_graph: {agreed} of {ran - len(skipped)} graphs with a linear ran the default pipeline and agreed, "
          f"{len(skipped)} skipped ({time.monotonic() - start:.0f} s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
