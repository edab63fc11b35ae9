#!/usr/bin/env python3
"""lmc serve's router (several models behind one server) measured: what a request costs when
its model must be loaded first, and what the hand-off to the model's server adds to one that
is loaded.

  bench_router.py --lmc build/tools/lmc --models A.gguf B.gguf C.gguf [--models-max 2] [--rounds 3]
                  [--requests 30] [-- FLAGS FOR LMC SERVE]

Serves the models (a folder of links to them, each under its file's name) with --models-max,
and asks each in turn, --rounds times over: with fewer slots than models every request loads
its model (the least recently used one unloaded), from the compile cache after the first
round. Prints each request's time, whether it loaded the model and the load time the router
logged; then, for the first model, the median time of --requests one-token completions
through the router and straight to a plain `lmc serve` of the same model, taken in turn
(A B A B), and their difference: the router's hand-off.
"""
import argparse
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time


def started(argv):
    """(process, port, its stderr lines as they come) of an lmc serve command line."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines = []
    for line in proc.stderr:
        lines.append(line)
        m = re.search(r"on http://127\.0\.0\.1:(\d+)", line)
        if m:
            threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True).start()
            return proc, int(m.group(1)), lines
    raise RuntimeError("lmc serve exited:\n" + "".join(lines))


def complete(port, model, tokens):
    """Seconds one greedy completion of `tokens` tokens took."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    body = {"model": model, "prompt": "The capital of France is", "max_tokens": tokens, "temperature": 0}
    t0 = time.perf_counter()
    c.request("POST", "/v1/completions", json.dumps(body), {"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    seconds = time.perf_counter() - t0
    c.close()
    if r.status != 200:
        raise RuntimeError(f"{model}: HTTP {r.status}: {data[:300]}")
    return seconds


def stop(proc):
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=120)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--lmc", required=True)
    ap.add_argument("--models", nargs="+", required=True)
    ap.add_argument("--models-max", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--requests", type=int, default=30)
    args, flags = ap.parse_known_args()
    flags = [f for f in flags if f != "--"]
    folder = tempfile.mkdtemp(prefix="lmc-bench-router-")
    names = []
    for path in args.models:
        name = os.path.basename(path).removesuffix(".gguf")
        os.symlink(os.path.abspath(path), os.path.join(folder, name + ".gguf"))
        names.append(name)
    router, port, log = started([args.lmc, "serve", "--models-dir", folder, "--port", "0",
                                 "--models-max", str(args.models_max), *flags])
    try:
        print(f"| round | model | request s | loaded it | load s (router's log) |")
        print(f"|---|---|---|---|---|")
        for r in range(args.rounds):
            for name in names:
                loads = "".join(log).count(f"lmc: model {name} loaded in ")
                seconds = complete(port, name, 8)
                text = "".join(log)
                loaded = text.count(f"lmc: model {name} loaded in ") > loads
                load = re.findall(rf"lmc: model {re.escape(name)} loaded in ([0-9.]+) s", text)[-1] if loaded else "-"
                print(f"| {r + 1} | {name} | {seconds:.2f} | {'yes' if loaded else 'no'} | {load} |")
        first = names[0]
        direct, direct_port, _ = started([args.lmc, "serve", args.models[0], "--port", "0", *flags])
        try:
            via_router, straight = [], []
            for _ in range(args.requests):  # A B A B: the machine's drift falls on both
                via_router.append(complete(port, first, 1))
                straight.append(complete(direct_port, first, 1))
        finally:
            stop(direct)
        a, b = statistics.median(via_router) * 1000, statistics.median(straight) * 1000
        print(f"\n{first}, one-token completions, median of {args.requests}: through the router {a:.1f} ms, "
              f"straight to lmc serve {b:.1f} ms, the hand-off {a - b:+.1f} ms")
    finally:
        stop(router)
        for name in names:
            os.unlink(os.path.join(folder, name + ".gguf"))
        os.rmdir(folder)


if __name__ == "__main__":
    sys.exit(main())
