#!/usr/bin/env python3
"""lmc serve keeps its memory under long mixed load: 400 requests on SmolLM2 with
--parallel 4, six at a time — completions, chat streams read whole and streams dropped after
their first chunks, tool calls, GBNF grammars and JSON schemas, n = 2, slot save and restore —
and the server's resident memory after all of them is within 15% of what it was after the
first 50 (the warm-up: every kind of request has run, every buffer has grown to its size).
Requests keep to slots 0-2 (id_slot) so that slot 3 is free for the saves and restores, one
at a time.
Bounded at a few tokens a request: about a minute here.

  test_serve_soak.py --lmc build/tools/lmc
"""
import http.client
import json
import os
import shutil
import sys
import tempfile
import threading
import unittest
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness  # noqa: E402  (its Server: an lmc serve process on a free port)

REQUESTS = 400
WARM_UP = 50
TOLERANCE = 0.15
MAX_TOKENS = 8
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "The current weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 16}},
                   "required": ["city"]}}}
YES_NO = 'root ::= "yes" | "no"'
SCHEMA = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


class Soak(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.slots = tempfile.mkdtemp(prefix="lmc-soak-slots-")
        cls.slot_three = threading.Lock()
        cls.server = serve_harness.Server("--parallel", "4", "--ctx-size", "1024", "--temp", "0",
                                          "--slot-save-path", cls.slots)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.slots)

    def post(self, path, body):
        status, data = self.server.request("POST", path, body)
        self.assertEqual(status, 200, data[:300])
        return json.loads(data)

    def stream(self, body, drop_after=None):
        """A chat stream, read whole, or closed after `drop_after` chunks."""
        c = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=120)
        c.request("POST", "/v1/chat/completions", json.dumps({**body, "stream": True}),
                  {"Content-Type": "application/json", "Authorization": "Bearer " + serve_harness.KEY})
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        chunks = 0
        for line in r:
            if line.startswith(b"data: "):
                chunks += 1
                if line.strip() == b"data: [DONE]" or (drop_after and chunks >= drop_after):
                    break
        c.close()

    def one(self, i):
        prompt = serve_harness.PROMPTS[(i // 8) % len(serve_harness.PROMPTS)]
        slot = {"id_slot": i % 3}
        chat = {"messages": [{"role": "user", "content": prompt}], "max_tokens": MAX_TOKENS, **slot}
        kind = i % 8
        if kind == 0:
            self.post("/v1/completions", {"prompt": prompt, "max_tokens": MAX_TOKENS, **slot})
        elif kind == 1:
            self.stream(chat)
        elif kind == 2:
            self.stream({**chat, "max_tokens": 64}, drop_after=2)
        elif kind == 3:
            self.post("/v1/chat/completions", {**chat, "tools": [WEATHER], "tool_choice": "required",
                                               "max_tokens": 32})
        elif kind == 4:
            self.post("/v1/completions", {"prompt": prompt + " Yes or no?", "max_tokens": 4, "grammar": YES_NO, **slot})
        elif kind == 5:
            self.post("/v1/chat/completions", {**chat, "max_tokens": 16, "response_format": {
                "type": "json_schema", "json_schema": {"name": "n", "schema": SCHEMA}}})
        elif kind == 6:
            self.post("/v1/chat/completions", {**chat, "n": 2, "temperature": 0.8})
        else:
            with self.slot_three:
                self.post("/v1/completions", {"prompt": prompt, "max_tokens": MAX_TOKENS, "id_slot": 3})
                self.post("/slots/3?action=save", {"filename": "soak.bin"})
                self.post("/slots/3?action=restore", {"filename": "soak.bin"})

    def batch(self, first, last):
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(self.one, range(first, last)))

    def test_rss_flat_after_warm_up(self):
        self.batch(0, WARM_UP)
        warm = rss_bytes(self.server.proc.pid)
        self.batch(WARM_UP, REQUESTS)
        after = rss_bytes(self.server.proc.pid)
        print(f"RSS after {WARM_UP} requests {warm / 1e6:.1f} MB, after {REQUESTS} {after / 1e6:.1f} MB "
              f"({(after / warm - 1) * 100:+.1f}%)")
        self.assertLessEqual(after, warm * (1 + TOLERANCE))
        status, _ = self.server.request("GET", "/health")
        self.assertEqual(status, 200)


if __name__ == "__main__":
    sys.exit(serve_harness.main())
