#!/usr/bin/env python3
"""Aggregate generation speed of an OpenAI-compatible server (lmc serve, or any other) at
several numbers of concurrent streams: the same client, prompts and token counts for
each server, so two servers compare side by side.

  bench_serve.py --url http://127.0.0.1:8080 --streams 1,4,8 [--tokens 64] [--rounds 3]

Each round starts `streams` clients at once; each sends one greedy completion request of
--tokens tokens (a fixed prompt per client, "ignore_eos" set so every stream runs to the
end where the server honours it) and the round's aggregate is the completion tokens of all
of them over the round's wall time. Prints per stream count the median aggregate
tokens/s over the rounds, the median per-stream tokens/s and the ratio to one stream.
"""
import argparse
import http.client
import json
import statistics
import threading
import time
import urllib.parse

PROMPTS = ["The capital of France is", "Once upon a time", "def fibonacci(n):", "The three primary colors are",
           "In 1969, the first", "Water boils at", "My favourite book is", "A compiler turns"]


def post(url, path, body, key):
    """(the JSON answer, seconds it took) of one POST; raises on a status other than 200."""
    u = urllib.parse.urlparse(url)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = "Bearer " + key
    t0 = time.time()
    c.request("POST", path, body=json.dumps(body), headers=headers)
    r = c.getresponse()
    data = json.loads(r.read())
    c.close()
    if r.status != 200:
        raise RuntimeError(f"HTTP {r.status}: {data}")
    return data, time.time() - t0


def complete(url, prompt, tokens, key):
    body = {"prompt": prompt, "max_tokens": tokens, "temperature": 0, "ignore_eos": True}
    data, seconds = post(url, "/v1/completions", body, key)
    return data["usage"]["completion_tokens"], seconds


def round_of(url, streams, tokens, key):
    results = [None] * streams

    def client(i):
        results[i] = complete(url, PROMPTS[i % len(PROMPTS)], tokens, key)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(streams)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - t0
    return sum(n for n, _ in results) / wall, statistics.median(n / s for n, s in results)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--streams", default="1,4,8")
    ap.add_argument("--tokens", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--api-key", default="")
    args = ap.parse_args()
    complete(args.url, PROMPTS[0], 4, args.api_key)  # warm-up
    single = None
    print(f"{'streams':>8} {'all tok/s':>10} {'per stream':>11} {'vs 1':>6}")
    for n in [int(s) for s in args.streams.split(",")]:
        rounds = [round_of(args.url, n, args.tokens, args.api_key) for _ in range(args.rounds)]
        total = statistics.median(r[0] for r in rounds)
        single = total if n == 1 else single
        ratio = f"{total / single:.2f}x" if single else "-"
        print(f"{n:8d} {total:10.1f} {statistics.median(r[1] for r in rounds):11.1f} {ratio:>6}", flush=True)


if __name__ == "__main__":
    main()
