#!/usr/bin/env python3
"""Eight agents that share one long system prompt, against lmc serve's pool of KV pages: the
KV memory the streams hold against private copies of it, the time to first token of the
stream that reads the system prompt against those that find it shared, and the aggregate
decode speed.

  bench_shared_prefix.py --lmc build/tools/lmc [--model GGUF] [--streams 8]
                         [--system-tokens 2000] [--tokens 128] [--rounds 3]
  bench_shared_prefix.py --url http://127.0.0.1:8080 ...   # a server already running
  bench_shared_prefix.py --llama-server PATH [--model GGUF] ...   # llama.cpp's, to compare

With --lmc it starts `lmc serve MODEL -np STREAMS -kvu -c CTX --metrics` (CTX holds private
copies of every stream, so that nothing waits for pages) and reads the KV cache's bytes per
position from its load line. Each round erases the slots (so nothing of the round before
stays cached), takes its own system prompt, and sends stream 1, then streams 2..N once stream
1's first token came (its system prompt is then in the cache): greedy completions of --tokens
tokens with ignore_eos, streamed. Per round: the time to first token of stream 1 and the
median of streams 2..N; the aggregate decode speed, the tokens of all streams while all of
them decode (from the last first token to the first stream's last) over that time; the most
KV bytes the running streams hold (lmc's /metrics, polled: the pages of both pools, the layers
that attend to the whole context and the sliding windows', a shared page once), and the most
held with the cache beside them (the prefix tree's and finished streams' pages, which a request
that lacks pages takes back), against N private copies of a stream's positions (a
sliding-window layer's copy holds its window).
Prints the medians over the rounds.

With --llama-server it starts llama.cpp's `llama-server -m MODEL -np STREAMS -kvu -c CTX` on
the same workload instead (its slots erased through --slot-save-path), for the aggregate decode
and the times to first token: run the two in turn, A B A B, and compare the medians.
"""
import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse

PAGE = 16  # positions per KV page (lmc's codegen/kernel_abi.h)
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODEL = os.path.join(ROOT, "models", "weights", "SmolLM2-135M-Instruct.Q4_1.gguf")


def system_prompt(round_index, tokens):
    """About `tokens` tokens of instructions (some 23 tokens a line on SmolLM2's vocabulary)."""
    lines = [f"Session {round_index}. You are one of several agents that keep the ledger of a harbour."]
    for i in range(tokens // 23):
        lines.append(f"Rule {i}: cargo {i * 37 % 101} leaves from pier {i % 9 + 1} at {i % 24:02d}:00.")
    return "\n".join(lines) + "\n"


def connect(url):
    u = urllib.parse.urlparse(url)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=600)


def call(url, method, path):
    c = connect(url)
    c.request(method, path)
    r = c.getresponse()
    text = r.read().decode()
    c.close()
    return r.status, text


def metric(url, name):
    status, text = call(url, "GET", "/metrics")
    m = re.search(rf"^{name} (\S+)$", text, re.M)
    return float(m.group(1)) if m else None


def stream(url, prompt, tokens, out):
    """One streamed completion: out gets sent, times (of each piece of text), end and usage."""
    body = {"prompt": prompt, "max_tokens": tokens, "temperature": 0, "ignore_eos": True, "stream": True,
            "stream_options": {"include_usage": True}}
    c = connect(url)
    try:
        out["sent"] = time.time()
        c.request("POST", "/v1/completions", body=json.dumps(body), headers={"Content-Type": "application/json"})
        r = c.getresponse()
        if r.status != 200:
            raise RuntimeError(f"HTTP {r.status}: {r.read()[:300]}")
        for line in r:
            line = line.decode().strip()
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            chunk = json.loads(line[6:])
            if chunk.get("usage"):
                out["usage"] = chunk["usage"]
            if any(ch.get("text") for ch in chunk.get("choices", [])):
                out.setdefault("times", []).append(time.time())
                out["started"].set()
    finally:
        out["end"] = time.time()
        out["started"].set()  # the streams after it go on (a failed one has no times: the round fails)
        c.close()


def one_round(url, round_index, args):
    # Nothing of the rounds before stays in the slots or the prefix tree (lmc's slot erase).
    for i in range(args.streams):
        call(url, "POST", f"/slots/{i}?action=erase")
    system = system_prompt(round_index, args.system_tokens)
    outs = [{"started": threading.Event()} for _ in range(args.streams)]
    threads = [threading.Thread(target=stream, args=(url, system + f"Agent {i + 1}, report:", args.tokens, outs[i]))
               for i in range(args.streams)]
    peak, polling = {"lmc_kv_bytes_running": 0.0, "lmc_kv_bytes_used": 0.0}, [True]

    def poll():
        while polling[0]:
            for name in peak:
                peak[name] = max(peak[name], metric(url, name) or 0.0)
            time.sleep(0.05)
    poller = threading.Thread(target=poll)
    poller.start()
    threads[0].start()
    outs[0]["started"].wait()
    for t in threads[1:]:
        t.start()
    for t in threads:
        t.join()
    polling[0] = False
    poller.join()
    ttft = [o["times"][0] - o["sent"] for o in outs]
    # While every stream decodes: from the last first token to the first end.
    start, stop = max(o["times"][0] for o in outs), min(o["times"][-1] for o in outs)
    decode = sum(sum(start < t <= stop for t in o["times"]) for o in outs) / (stop - start)
    positions = outs[0]["usage"]["prompt_tokens"] + args.tokens
    window = metric(url, "lmc_kv_window") or 0
    private = (metric(url, "lmc_kv_position_bytes") or 0) * -(-positions // PAGE) * PAGE + \
        (metric(url, "lmc_kv_window_position_bytes") or 0) * min(positions, window)
    return {"ttft1": ttft[0], "ttft_rest": statistics.median(ttft[1:]), "decode": decode,
            "peak_running": peak["lmc_kv_bytes_running"], "peak_bytes": peak["lmc_kv_bytes_used"],
            "private_bytes": args.streams * private, "prompt_tokens": outs[0]["usage"]["prompt_tokens"],
            "cached": [o["usage"].get("prompt_tokens_details", {}).get("cached_tokens", 0) for o in outs]}


def context_of(args):
    """Room for private copies of every stream, so that nothing waits for pages."""
    context = args.streams * (args.system_tokens + args.tokens + 512)
    return -(-context // PAGE) * PAGE


def start_llama(args, scratch):
    """llama.cpp's llama-server with its unified KV cache on the same model and context."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    argv = [args.llama_server, "-m", args.model, "--host", "127.0.0.1", "--port", str(port), "-np",
            str(args.streams), "-kvu", "-c", str(context_of(args)), "--slot-save-path", scratch]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    while proc.poll() is None:
        try:
            if call(url, "GET", "/health")[0] == 200:
                return proc, url
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"llama-server exited with {proc.returncode} before it listened")


def start_lmc(args):
    context = context_of(args)
    argv = [args.lmc, "serve", args.model, "--port", "0", "-np", str(args.streams), "-kvu", "-c", str(context),
            "--metrics"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:
        m = re.search(r"on http://127\.0\.0\.1:(\d+)", line)
        if m:
            threading.Thread(target=lambda: proc.stderr.read(), daemon=True).start()
            return proc, f"http://127.0.0.1:{m.group(1)}"
    raise RuntimeError("lmc serve exited before it listened")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lmc", help="an lmc binary: the script starts its server")
    ap.add_argument("--url", help="a server already running (no KV memory figures but lmc's /metrics)")
    ap.add_argument("--llama-server", help="a llama-server binary: the script starts it with -kvu")
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--streams", type=int, default=8)
    ap.add_argument("--system-tokens", type=int, default=2000)
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    if sum(bool(a) for a in (args.lmc, args.url, args.llama_server)) != 1:
        ap.error("give one of --lmc, --url and --llama-server")
    proc = None
    url = args.url
    scratch = tempfile.TemporaryDirectory()
    if args.lmc:
        proc, url = start_lmc(args)
    if args.llama_server:
        proc, url = start_llama(args, scratch.name)
    try:
        warm = {"started": threading.Event()}
        stream(url, "Warm-up:", 4, warm)
        rounds = [one_round(url, r + 1, args) for r in range(args.rounds)]
    finally:
        if proc:
            proc.terminate()
            proc.wait(timeout=60)
        scratch.cleanup()
    med = {k: statistics.median(r[k] for r in rounds)
           for k in ("ttft1", "ttft_rest", "decode", "peak_running", "peak_bytes", "private_bytes")}
    print(f"{args.streams} streams, a system prompt of {rounds[0]['prompt_tokens']} prompt tokens, "
          f"{args.tokens} tokens each; medians of {args.rounds} rounds")
    print(f"cached tokens per stream (last round): {rounds[-1]['cached']}")
    if med["private_bytes"]:
        print(f"{'KV of ' + str(args.streams) + ' private copies':34} {med['private_bytes'] / 1e6:9.1f} MB")
        for key, name in (("peak_running", "KV the streams hold (peak)"), ("peak_bytes", "KV held with cache (peak)")):
            print(f"{name:34} {med[key] / 1e6:9.1f} MB {med[key] / med['private_bytes']:7.1%} of the copies")
    print(f"time to first token, stream 1      {med['ttft1'] * 1000:9.0f} ms")
    print(f"time to first token, streams 2-{args.streams}   {med['ttft_rest'] * 1000:9.0f} ms "
          f"({med['ttft_rest'] / med['ttft1']:.1%} of stream 1's)")
    print(f"aggregate decode                   {med['decode']:9.1f} tok/s")


if __name__ == "__main__":
    main()
