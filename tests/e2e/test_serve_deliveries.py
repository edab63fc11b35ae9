#!/usr/bin/env python3
"""One answer, two deliveries: lmc serve's streamed chat answers join to the bytes of the
whole answer of the same seed, on the real SmolLM2-135M-Instruct (one server):

  test_serve_deliveries.py --lmc build/tools/lmc

Exit 77 when the weights are absent. 50 seeded requests, each sent whole and streamed
(cache_prompt false, so both read the same prompt tokens): sampled text, text cut by stop
strings, calls under "required" (cut by max_tokens or whole) and "auto", and a prefilled
"<think>" whose answer is reasoning. The deltas of each stream (content, reasoning_content,
each call's name and arguments) join to the whole answer's message, byte for byte, with the
same finish_reason, usage and token counts in timings.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness  # noqa: E402  (its Server: an lmc serve process on a free port)

REQUESTS = 50
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string", "maxLength": 24},
                                                    "unit": {"enum": ["celsius", "fahrenheit"]}},
                   "required": ["city"]}}}
PASSENGER = {"type": "function", "function": {
    "name": "book_flight", "description": "Books a flight for a passenger.",
    "parameters": {"type": "object", "properties": {
        "passenger": {"type": "object", "properties": {"name": {"type": "string", "maxLength": 16}},
                      "required": ["name"]},
        "to": {"type": "string", "maxLength": 16}}, "required": ["passenger", "to"]}}}
QUESTIONS = ["What is the weather in Paris?", "Book a flight to Rome for Ada.", "Tell me a short story.",
             "What is two plus two?", "Name a color."]


def body(seed):
    """The seed's request: its kind by seed % 5, its question and sampling by seed."""
    kind = seed % 5
    b = {"model": "smollm2", "messages": [{"role": "user", "content": QUESTIONS[seed // 5 % len(QUESTIONS)]}],
         "seed": seed, "temperature": 0.9, "max_tokens": 12, "cache_prompt": False}
    if kind == 1:
        b["stop"] = [" the", "."]
    if kind in (2, 3):
        b.update(tools=[WEATHER, PASSENGER], tool_choice="required" if kind == 2 else "auto",
                 max_tokens=24 if seed % 2 else 48)
    if kind == 4:
        b["messages"].append({"role": "assistant", "content": "<think>\n"})
    return b


def joined(events):
    """The message a stream's deltas add up to, as a client joins them, and its finish_reason."""
    message, calls, finish, last = {"content": None}, [], None, None
    for e in events:
        if not e.get("choices"):
            continue
        choice = e["choices"][0]
        finish = choice["finish_reason"] or finish
        last = e
        d = choice["delta"]
        for key in ("content", "reasoning_content"):
            if d.get(key) is not None:
                message[key] = (message.get(key) or "") + d[key]
        for piece in d.get("tool_calls") or []:
            if piece["index"] == len(calls):
                calls.append({"name": piece["function"]["name"], "arguments": ""})
            calls[piece["index"]]["arguments"] += piece["function"]["arguments"]
    if calls:
        message["tool_calls"] = calls
    return message, finish, last


def whole_message(m):
    out = {"content": m.get("content")}
    if "reasoning_content" in m:
        out["reasoning_content"] = m["reasoning_content"]
    if m.get("tool_calls"):
        out["tool_calls"] = [{"name": c["function"]["name"], "arguments": c["function"]["arguments"]}
                             for c in m["tool_calls"]]
    return out


def counts(timings):
    return {k: timings[k] for k in ("cache_n", "prompt_n", "predicted_n")}


class Deliveries(serve_harness.ServedTestCase):
    def post(self, b):
        status, data = self.server.request("POST", "/v1/chat/completions", b)
        self.assertEqual(status, 200, data)
        return data

    def test_streamed_deltas_join_to_the_whole_answer(self):
        kinds = set()
        for seed in range(REQUESTS):
            b = body(seed)
            with self.subTest(seed=seed, body=b):
                whole = json.loads(self.post(b))
                events = [json.loads(line[len("data: "):]) for line in self.post(dict(b, stream=True)).decode()
                          .split("\n") if line.startswith("data: ") and line != "data: [DONE]"]
                message, finish, last = joined(events)
                choice = whole["choices"][0]
                want = whole_message(choice["message"])
                # OpenAI's null content of an answer that is calls reads as the empty text.
                self.assertEqual({**message, "content": message["content"] or None},
                                 {**want, "content": want["content"] or None})
                self.assertEqual(finish, choice["finish_reason"])
                self.assertEqual(last["usage"], whole["usage"])
                self.assertEqual(counts(last["timings"]), counts(whole["timings"]))
                kinds.add(("calls" if "tool_calls" in want else "reasoning" if "reasoning_content" in want
                           else "text") + "/" + choice["finish_reason"])
        # The seeds reach every kind of answer the comparison is about.
        for kind in ("text/stop", "text/length", "calls/tool_calls", "reasoning/length"):
            self.assertIn(kind, kinds)


if __name__ == "__main__":
    sys.exit(serve_harness.main())
