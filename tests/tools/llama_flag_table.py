#!/usr/bin/env python3
"""Every llama.cpp option in tools/lmc/llama/llama_options.def, spelled as llama.cpp spells it, with
as many values as it takes, on the lmc command that stands for its tool (llama-cli: lmc run,
llama-server: lmc serve, llama-bench: lmc bench): lmc reads it as its own flag, notes it, or
refuses it naming it. None is split into a short flag and a value (`-co` read as `-c o`), taken
for another name, or leaves its value over as a second model (`--color on`).

What lmc said of each option is also docs/llama-options.md, written from these runs: the
test fails when the file says otherwise (--write FILE writes it again).

  llama_flag_table.py --lmc BUILD/tools/lmc --def tools/lmc/llama/llama_options.def --check docs/llama-options.md
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


TOOLS = {"run": "llama-cli, llama-completion (`lmc run`, `lmc chat`)", "serve": "llama-server (`lmc serve`)",
         "bench": "llama-bench (`lmc bench`)"}


def kind(err):
    """What lmc did with the option: honoured, noted (accepted, doing nothing here) or refused."""
    if "which lmc does not take here" in err:
        return "refused"
    if "does nothing here" in err:
        return "noted"
    return "honoured"


def verdict(lmc, case):
    """(what lmc did, None or how the spelling was misread): the signatures of a name split into a
    short flag and a value, of a name taken for another, and of a value left over as a second model."""
    command, spelling, values, spellings = case
    args = [lmc, command, spelling] + ["7"] * values + [MODEL]
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    err = p.stderr
    unknown = re.search(r"unknown option '([^']*)'", err)
    takes_model = spelling in ("-m", "--model")
    misread = (unknown and unknown.group(1) != spelling) or f"got '{spelling[2:]}'" in err or \
        ("expects one artifact" in err and not takes_model)
    if p.returncode not in (0, 1, 2) or misread:
        return kind(err), f"lmc {command} {spelling}{' 7' * values} {MODEL}: exit {p.returncode}: {err.strip()}"
    return kind(err), None


def document(results):
    """docs/llama-options.md: per tool, its options by what lmc does with them."""
    by_tool = {}
    for (command, spelling, values, spellings), (what, _) in results:
        if spelling == spellings[0]:
            by_tool.setdefault(command, {}).setdefault(what, []).append(" / ".join(f"`{s}`" for s in spellings))
    out = ["# llama.cpp's options on lmc", "",
           "Written by tests/tools/llama_flag_table.py from lmc's own answers to each option of",
           "tools/lmc/llama/llama_options.def (the `llama_flag_table` test fails when this file says otherwise;",
           "`llama_flag_table.py --lmc build/tools/lmc --def tools/lmc/llama/llama_options.def --write",
           "docs/llama-options.md` writes it again). Honoured: lmc reads it as its own flag (README's table",
           "says which). Noted: accepted, with one line on stderr saying why it does nothing here. Refused:",
           "a usage error naming it (exit 2). None is misread.", ""]
    for command, title in TOOLS.items():
        groups = by_tool.get(command, {})
        out += [f"## {title}", ""]
        for what in ("honoured", "noted", "refused"):
            names = groups.get(what, [])
            out.append(f"**{what.capitalize()}** ({len(names)}): " + (", ".join(names) if names else "none") + ".")
            out.append("")
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    ap.add_argument("--def", dest="table", required=True)
    ap.add_argument("--check", help="fail when this file is not what the runs say")
    ap.add_argument("--write", help="write what the runs say into this file")
    a = ap.parse_args()
    all_cases = list(cases(a.table))
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(zip(all_cases, pool.map(lambda c: verdict(a.lmc, c), all_cases)))
    failures = [f for _, (_, f) in results if f]
    for f in failures:
        print("MISREAD:", f)
    print(f"{len(all_cases)} spellings, {len(failures)} misread")
    stale = False
    if a.write:
        with open(a.write, "w") as f:
            f.write(document(results))
    if a.check and open(a.check).read() != document(results):
        print(f"{a.check} is not what lmc says of llama.cpp's options now: run this script with --write {a.check}")
        stale = True
    return 1 if failures or stale or len(all_cases) < 300 else 0


if __name__ == "__main__":
    sys.exit(main())
