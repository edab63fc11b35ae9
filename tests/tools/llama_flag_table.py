#!/usr/bin/env python3
"""Every llama.cpp option in tools/lmc/llama_options.def, spelled as llama.cpp spells it, with
as many values as it takes, on the lmc command that stands for its tool (llama-cli: lmc run,
llama-server: lmc serve, llama-bench: lmc bench): lmc reads it as its own flag, notes it, or
refuses it naming it. None is split into a short flag and a value (`-co` read as `-c o`), taken
for another name, or leaves its value over as a second model (`--color on`).

  llama_flag_table.py --lmc BUILD/tools/lmc --def tools/lmc/llama_options.def
"""
import argparse
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

COMMANDS = {"kCli": "run", "kServer": "serve", "kBench": "bench"}
MODEL = "/nonexistent-lmc-flag-table/m.gguf"


def rows(path):
    pattern = re.compile(r'^LLAMA_OPTION\("([^"]*)", "([^"]*)", (\d), ([\w| ]+)\)$')
    for line in open(path):
        m = pattern.match(line.strip())
        if m:
            yield m.group(1).split("|"), [n for n in m.group(2).split("|") if n], int(m.group(3)), \
                [t.strip() for t in m.group(4).split("|")]


def cases(path):
    for spellings, negations, values, tools in rows(path):
        for tool in tools:
            for spelling in spellings:
                yield COMMANDS[tool], spelling, values, spellings
            for spelling in negations:
                yield COMMANDS[tool], spelling, 0, spellings


def verdict(lmc, case):
    """None, or how the spelling was misread: the signatures of a name split into a short
    flag and a value, of a name taken for another, and of a value left over as a second model."""
    command, spelling, values, spellings = case
    args = [lmc, command, spelling] + ["7"] * values + [MODEL]
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    err = p.stderr
    unknown = re.search(r"unknown option '([^']*)'", err)
    takes_model = spelling in ("-m", "--model")
    misread = (unknown and unknown.group(1) != spelling) or f"got '{spelling[2:]}'" in err or \
        ("expects one artifact" in err and not takes_model)
    if p.returncode not in (0, 1, 2) or misread:
        return f"lmc {command} {spelling}{' 7' * values} {MODEL}: exit {p.returncode}: {err.strip()}"
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    ap.add_argument("--def", dest="table", required=True)
    a = ap.parse_args()
    all_cases = list(cases(a.table))
    with ThreadPoolExecutor(max_workers=2) as pool:
        failures = [f for f in pool.map(lambda c: verdict(a.lmc, c), all_cases) if f]
    for f in failures:
        print("MISREAD:", f)
    print(f"{len(all_cases)} spellings, {len(failures)} misread")
    return 1 if failures or len(all_cases) < 300 else 0


if __name__ == "__main__":
    sys.exit(main())
