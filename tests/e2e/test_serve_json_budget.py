#!/usr/bin/env python3
"""A constrained JSON answer closes in time whenever max_tokens leaves room for its shortest
completion (issue 92), on the real SmolLM2-135M-Instruct, judged by the `jsonschema` package:

  test_serve_json_budget.py --lmc build/tools/lmc [--all-seeds]

Exit 77 when the weights are absent. Records of N required properties (string, integer,
boolean and number in turn), `strict`, "Fill in the record with any values.", temperature
0.7, at the issue's sizes: 4 properties in 40 tokens, 20 in 240, 50 in 600 and 200 in 2500
(whose shortest objects take about 30, 126, 328 and 1441 tokens). The model writes its
strings until the tokens left are what the rest needs, then closes: every answer parses and
validates within max_tokens, ended by its length (finish_reason "length", as many completion
tokens as max_tokens) unless the model closed it sooner by itself ("stop"). The same for a
forced call whose parameters are the 20-property record: its arguments parse and validate
within 240 tokens.

Seeds 0-9 at every size (the issue's 40 requests, about 34000 tokens) with --all-seeds; by
default the small sizes and the call take all ten, 50 properties seeds 0-1 and 200 seed 0
(2500 tokens an answer, 90 s on 2 cores).
"""
import json
import os
import sys
import unittest
from concurrent.futures import ThreadPoolExecutor

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness  # noqa: E402  (its Server: an lmc serve process on a free port)

ALL_SEEDS = "--all-seeds" in sys.argv
if ALL_SEEDS:
    sys.argv.remove("--all-seeds")
SIZES = [(4, 40, 10), (20, 240, 10), (50, 600, 10 if ALL_SEEDS else 2), (200, 2500, 10 if ALL_SEEDS else 1)]
QUESTION = "Fill in the record with any values."


def record(properties):
    types = ["string", "integer", "boolean", "number"]
    keys = [f"field_{i}" for i in range(properties)]
    return {"type": "object", "properties": {k: {"type": types[i % 4]} for i, k in enumerate(keys)},
            "required": keys, "additionalProperties": False}


class ClosedInTime(serve_harness.ServedTestCase):
    FLAGS = ("--parallel", "4", "--ctx-size", "12288")  # 3072 positions a slot

    def post(self, body):
        status, data = self.server.request("POST", "/v1/chat/completions", body, timeout=900)
        self.assertEqual(status, 200, data)
        answer = json.loads(data)
        return answer["choices"][0], answer["usage"]["completion_tokens"]

    def test_records_close_within_max_tokens(self):
        # The longest first, so that the short ones share the slots beside it.
        cases = [(n, max_tokens, seed) for n, max_tokens, seeds in reversed(SIZES) for seed in range(seeds)]
        fmt = {n: {"type": "json_schema", "json_schema": {"name": "record", "schema": record(n), "strict": True}}
               for n, _, _ in SIZES}
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda c: self.post({
                "messages": [{"role": "user", "content": QUESTION}], "response_format": fmt[c[0]],
                "max_tokens": c[1], "temperature": 0.7, "seed": c[2]}), cases))
        for (n, max_tokens, seed), (choice, used) in zip(cases, answers):
            with self.subTest(properties=n, max_tokens=max_tokens, seed=seed):
                self.assertLessEqual(used, max_tokens)
                self.assertEqual(choice["finish_reason"], "length" if used == max_tokens else "stop", choice)
                jsonschema.validate(json.loads(choice["message"]["content"]), record(n))
        closed = sum(choice["finish_reason"] == "length" for choice, _ in answers)
        print(f"\n{len(cases)} answers valid, {closed} closed on their last token", file=sys.stderr)

    def test_a_forced_call_closes_within_max_tokens(self):
        tool = {"type": "function", "function": {"name": "fill_record", "description": "Fills in a record.",
                                                 "parameters": record(20)}}
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda seed: self.post({
                "messages": [{"role": "user", "content": QUESTION}], "tools": [tool], "tool_choice": "required",
                "max_tokens": 240, "temperature": 0.7, "seed": seed}), range(10)))
        for seed, (choice, used) in enumerate(answers):
            with self.subTest(seed=seed):
                self.assertEqual(choice["finish_reason"], "tool_calls", choice)
                self.assertLessEqual(used, 240)
                call = choice["message"]["tool_calls"][0]["function"]
                self.assertEqual(call["name"], "fill_record")
                jsonschema.validate(json.loads(call["arguments"]), record(20))


if __name__ == "__main__":
    sys.exit(serve_harness.main())
