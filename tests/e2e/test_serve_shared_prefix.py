#!/usr/bin/env python3
"""lmc serve's shared prefixes (-kvu, the default): requests whose prompts start with the
same long system prompt share its KV pages instead of reading it again. Two requests sent
together and a third after them give the greedy answers of a server with private caches
(-no-kvu), report the shared part in usage.prompt_tokens_details.cached_tokens, and hold fewer
pages of the pool than private copies would; /slots and /metrics say so.

  test_serve_shared_prefix.py --lmc build/tools/lmc [--gemma]

On SmolLM2-135M, or with --gemma on Gemma 3 270M, whose sliding-window layers share the pages
of the system prompt's last window from a pool of their own (their GGUF; exit 77 when absent).
"""
import json
import os
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as serve  # noqa: E402
from serve_harness import Server, self_metric  # noqa: E402

PAGE = 16  # positions per KV page (codegen/kernel_abi.h)
SYSTEM = ("You are the archivist of a small river town. " +
          " ".join(f"Record {i}: the ferry left at {i % 12 + 1} o'clock carrying {i * 7 % 40} sacks of grain."
                   for i in range(40)))
QUESTIONS = ["When did the ferry leave in record 3?", "How many sacks were carried in record 10?",
             "Summarise the records in one sentence."]


def ask(server, question):
    status, data = server.request("POST", "/v1/chat/completions",
                                  {"messages": [{"role": "system", "content": SYSTEM},
                                                {"role": "user", "content": question}],
                                   "max_tokens": 24, "temperature": 0})
    assert status == 200, data
    data = json.loads(data)
    return data["choices"][0]["message"]["content"], data["usage"]


def answers(server):
    """The first two questions together, then the third: [(text, usage)] in QUESTIONS' order."""
    got = [None] * len(QUESTIONS)

    def one(i):
        got[i] = ask(server, QUESTIONS[i])
    threads = [threading.Thread(target=one, args=(i,)) for i in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    one(2)
    return got


class SharedPrefix(unittest.TestCase):
    def test_shared_system_prompt_answers_as_private_caches_in_fewer_pages(self):
        private = Server("-np", "2", "-c", "8192", "-no-kvu")
        try:
            want = answers(private)
            private_cached = [u["prompt_tokens_details"]["cached_tokens"] for _, u in want]
        finally:
            private.stop()
        shared = Server("-np", "2", "-c", "8192", "-kvu", "--metrics")
        try:
            got = answers(shared)
            slots = json.loads(shared.request("GET", "/slots")[1])
            used = self_metric(shared, "lmc_kv_pages_used")
            tree = self_metric(shared, "lmc_kv_pages_prefix_tree")
            window_used = self_metric(shared, "lmc_kv_window_pages_used")
            hit = self_metric(shared, "lmc_prompt_prefix_hit_ratio")
            held_bytes = [self_metric(shared, m) for m in ("lmc_kv_bytes_used", "lmc_kv_bytes_running")]
        finally:
            shared.stop()
        self.assertEqual([t for t, _ in got], [t for t, _ in want])
        self.assertEqual(private_cached[:2], [0, 0])
        prompt = got[0][1]["prompt_tokens"]
        self.assertGreater(prompt, 8 * PAGE)  # a system prompt of several pages
        whole = (prompt - 1) // PAGE * PAGE  # at least the system prompt's whole pages
        cached = [u["prompt_tokens_details"]["cached_tokens"] for _, u in got]
        # One of the two sent together read the system prompt; the other, then the third, shared it.
        self.assertEqual(min(cached[:2]), 0, cached)
        self.assertGreaterEqual(max(cached[:2]), 8 * PAGE, cached)
        self.assertGreaterEqual(cached[2], 8 * PAGE, cached)
        self.assertLessEqual(max(cached[:2]), whole, cached)  # whole pages only (the third's slot may hold more)
        self.assertGreater(hit, 0.5)
        # Private copies of the three would take a page per PAGE positions each.
        private_pages = sum(-(-(u["prompt_tokens"] + u["completion_tokens"]) // PAGE) for _, u in got)
        self.assertLess(used, private_pages - 2 * 8, (used, private_pages))
        self.assertGreaterEqual(tree, 8)
        # Every answer is in: the pages held are cache (the tree's, the idle slots'), none running.
        self.assertGreater(held_bytes[0], 0)
        self.assertEqual(held_bytes[1], 0)
        if GEMMA:  # the sliding layers' pages: a window of 512 positions each at most, some shared
            self.assertGreater(window_used, 0)
            self.assertLess(window_used, 3 * (512 // PAGE + 2), window_used)
        self.assertTrue(all(s["n_kv_pages_shared"] >= 8 for s in slots), slots)
        self.assertTrue(any(s.get("n_prompt_tokens_cache", 0) >= 8 * PAGE for s in slots), slots)


GEMMA = "--gemma" in sys.argv

if __name__ == "__main__":
    if GEMMA:
        sys.argv.remove("--gemma")
    sys.exit(serve.main(os.path.join(serve.ROOT, "models", "weights", "gemma-3-270m-q4_k_m.gguf") if GEMMA
                        else serve.MODEL))
