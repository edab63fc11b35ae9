#!/usr/bin/env python3
"""Time to first token of a chat's late turn with and without prefix reuse, on an
OpenAI-compatible server (lmc serve, or any server honouring llama-server's
"cache_prompt" field).

  bench_chat_turns.py --url http://127.0.0.1:8080 [--turns 6] [--words 180] [--rounds 5]

A conversation of --turns user messages of about --words words each is built once with the
server's own greedy answers (32 tokens each). Each round then sends the last turn twice,
each time with another last message (so no slot holds it already): once right after the
turn before it (so a slot holds the conversation; "cache_prompt": true) and once with
"cache_prompt": false (the whole history read again), alternating which goes first. A
request asks for one token, so its time is the time to first token.
Prints the medians, their ratio and the tokens the server reports reused.
"""
import argparse
import statistics

import bench_serve  # scripts/bench_serve.py, beside this file: its POST helper

WORDS = ("the compiler lowers each layer of the model to a graph of tensor operations and fuses the "
         "projections that read the same input before it generates the kernels for the machine").split()


def chat(url, key, body):
    return bench_serve.post(url, "/v1/chat/completions", body, key)


def user_message(turn, words):
    return f"Question {turn}: " + " ".join(WORDS[(turn * 7 + i) % len(WORDS)] for i in range(words)) + "?"


def conversation(url, key, turns, words):
    messages = []
    for t in range(turns):
        messages.append({"role": "user", "content": user_message(t, words)})
        if t + 1 < turns:
            data, _ = chat(url, key, {"messages": messages, "max_tokens": 32, "temperature": 0})
            messages.append({"role": "assistant", "content": data["choices"][0]["message"]["content"]})
    return messages


def first_token(url, key, messages, cache):
    data, seconds = chat(url, key, {"messages": messages, "max_tokens": 1, "temperature": 0, "cache_prompt": cache})
    details = data["usage"].get("prompt_tokens_details") or {}
    return seconds, data["usage"]["prompt_tokens"], details.get("cached_tokens", 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--turns", type=int, default=6)
    ap.add_argument("--words", type=int, default=180)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--api-key", default="")
    args = ap.parse_args()
    messages = conversation(args.url, args.api_key, args.turns, args.words)
    before_last = messages[:-2]
    on, off, reused = [], [], []
    for r in range(args.rounds):
        for cache in ((True, False) if r % 2 == 0 else (False, True)):
            if cache:
                chat(args.url, args.api_key, {"messages": before_last, "max_tokens": 32, "temperature": 0})
            last = {"role": "user", "content": user_message(1000 + 2 * r + cache, args.words)}
            seconds, prompt_tokens, cached = first_token(args.url, args.api_key, messages[:-1] + [last], cache)
            (on if cache else off).append(seconds)
            if cache:
                reused.append(cached)
    a, b = statistics.median(on), statistics.median(off)
    print(f"turn {args.turns}: {prompt_tokens} prompt tokens, {statistics.median(reused):.0f} reused from the cache")
    print(f"time to first token, median of {args.rounds}: reused {a * 1000:.0f} ms, read whole {b * 1000:.0f} ms, "
          f"ratio {a / b:.2f}")


if __name__ == "__main__":
    main()
