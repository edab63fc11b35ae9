#!/usr/bin/env python3
"""lmc serve's tool calls with schemas as agent libraries write them, through the `openai`
client on the real SmolLM2-135M-Instruct, judged by the `jsonschema` package:

  test_serve_tool_schemas.py --lmc build/tools/lmc

Exit 77 when the weights are absent. A tool's parameters are a schema document of their own:
  * a Pydantic-style tool ("$defs" and "$ref": "#/$defs/...") under "required", a named
    function and "auto": every call validates against the tool's own schema;
  * a recursive tool ("$ref": "#") whose calls are trees of its parameters, not of the call
    around them, closed in time under a small max_tokens;
  * a tool with minimum, maximum, format and patterns is a 200 under "none", "auto" and
    "required", and its bounds, date and patterns are kept while decoding: forced calls over
    several seeds all validate; a pattern outside the regular subset (a lookahead) is checked
    once a call is whole under "auto", and forcing a call to its tool is a 400 naming it;
  * streamed and whole answers of the same seed give the same argument bytes.
"""
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness  # noqa: E402  (its Server: an lmc serve process on a free port)

MAX_TOKENS = 96
# As Pydantic writes class Booking(BaseModel): passenger: Passenger; to: Address.
FLIGHT = {"type": "function", "function": {
    "name": "book_flight", "description": "Books a flight for a passenger.",
    "parameters": {
        "$defs": {
            "Address": {"title": "Address", "type": "object",
                        "properties": {"city": {"title": "City", "type": "string", "maxLength": 20},
                                       "country": {"title": "Country", "type": "string", "maxLength": 20}},
                        "required": ["city", "country"]},
            "Passenger": {"title": "Passenger", "type": "object",
                          "properties": {"name": {"title": "Name", "type": "string", "maxLength": 24},
                                         "home": {"$ref": "#/$defs/Address"}},
                          "required": ["name", "home"]}},
        "title": "Booking", "type": "object",
        "properties": {"passenger": {"$ref": "#/$defs/Passenger"},
                       "to": {"$ref": "#/$defs/Address", "description": "Where to fly."}},
        "required": ["passenger", "to"]}}}
TREE = {"type": "function", "function": {
    "name": "make_outline", "description": "Writes an outline as a tree of headings.",
    "parameters": {"type": "object", "properties": {
        "label": {"type": "string", "maxLength": 12},
        "children": {"type": "array", "items": {"$ref": "#"}, "maxItems": 2}},
        "required": ["label", "children"]}}}
SEARCH = {"type": "function", "function": {
    "name": "search_flights", "description": "Finds flights between two airports on a date.",
    "parameters": {"type": "object", "properties": {
        "origin": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "IATA code"},
        "flight": {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$", "description": "e.g. SAS-1234"},
        "date": {"type": "string", "format": "date"},
        "seats": {"type": "integer", "minimum": 1, "maximum": 9},
        "budget": {"type": "number", "exclusiveMinimum": 0, "maximum": 5000}},
        "required": ["origin", "flight", "date", "seats"]}}}
# A pattern outside the regular subset: a lookahead.
AVOID = {"type": "function", "function": {
    "name": "avoid_airport", "description": "Marks an airport to avoid.",
    "parameters": {"type": "object", "properties": {"code": {"type": "string", "pattern": "^(?!XXX)[A-Z]{3}$"}},
                   "required": ["code"]}}}
SCHEMAS = {t["function"]["name"]: t["function"]["parameters"] for t in (FLIGHT, TREE, SEARCH, AVOID)}
FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER
QUESTIONS = ["Book Ann Lee from Oslo, Norway to Rome, Italy.", "Fly Bob Marsh, who lives in Lyon, France, to Lima, Peru.",
             "Outline a talk about compilers.", "Find 2 seats from OSL on 2025-03-14."]


def named(name):
    return {"type": "function", "function": {"name": name}}


class ToolSchemas(serve_harness.ServedTestCase):
    FLAGS = ("--parallel", "4", "--ctx-size", "4096", "--temp", "0")

    def ask(self, question, tools, tool_choice, **kw):
        kw = {"max_tokens": MAX_TOKENS, **kw}
        return self.client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": question}],
                                                   tools=tools, tool_choice=tool_choice, **kw).choices[0]

    def check_calls(self, choice, schemas=SCHEMAS, name=None):
        """An answer of calls, each valid under its tool's own schema (formats checked too)."""
        self.assertEqual(choice.finish_reason, "tool_calls", choice.message.content)
        self.assertTrue(choice.message.tool_calls)
        for call in choice.message.tool_calls:
            if name:
                self.assertEqual(call.function.name, name)
            jsonschema.validate(json.loads(call.function.arguments), schemas[call.function.name],
                                format_checker=FORMATS)
        return choice.message.tool_calls

    def test_a_pydantic_tool_under_required_named_and_auto(self):
        tools = [FLIGHT, TREE]
        cases = [(q, c) for q in QUESTIONS[:2] for c in ("required", named("book_flight"), "auto")]
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda qc: self.ask(qc[0], tools, qc[1]), cases))
        for (question, choice), answer in zip(cases, answers):
            with self.subTest(question=question, choice=str(choice)):
                if choice != "auto" or answer.message.tool_calls:
                    calls = self.check_calls(answer, name="book_flight" if choice != "required" else None)
                    if choice != "required":
                        self.assertIn("passenger", json.loads(calls[0].function.arguments))

    def test_a_recursive_tool_is_a_tree_of_its_parameters(self):
        """"#" is the tool's parameters: each child a {label, children} tree, never a call."""
        for max_tokens in (MAX_TOKENS, 72):  # 72: little past the shortest call, 62 bytes
            with self.subTest(max_tokens=max_tokens):
                answer = self.ask(QUESTIONS[2], [TREE], named("make_outline"), max_tokens=max_tokens)
                calls = self.check_calls(answer, name="make_outline")  # closed in time: whole and valid
                tree = json.loads(calls[0].function.arguments)
                self.assertNotIn("name", tree)
                for child in tree["children"]:
                    self.assertEqual(set(child), {"label", "children"})

    def test_bounds_a_format_and_patterns_are_kept(self):
        question = QUESTIONS[3]
        for tools in ([SEARCH], [SEARCH, AVOID]):
            text = self.ask(question, tools, "none")
            self.assertIsNone(text.message.tool_calls)
            self.assertIsInstance(text.message.content, str)
            auto = self.ask(question, tools, "auto")  # a call, if any, passed the whole schema
            if auto.message.tool_calls:
                self.check_calls(auto)
            else:
                self.assertIsInstance(auto.message.content, str)
        # The bounds, the date and both patterns are kept while decoding, whatever the seed.
        with ThreadPoolExecutor(4) as pool:
            forced = list(pool.map(lambda seed: self.ask(question, [SEARCH, AVOID], named("search_flights"),
                                                         temperature=1.0, seed=seed), range(8)))
        for seed, answer in enumerate(forced):
            with self.subTest(seed=seed):
                self.check_calls(answer, name="search_flights")
        for choice in ("required", named("avoid_airport")):
            with self.subTest(choice=str(choice)):
                status, data = self.server.request("POST", "/v1/chat/completions", {
                    "messages": [{"role": "user", "content": question}], "tools": [SEARCH, AVOID],
                    "tool_choice": choice})
                self.assertEqual(status, 400, data)
                error = json.loads(data)["error"]
                self.assertEqual(error["param"], "tools[1].function.parameters/properties/code/pattern")
                self.assertIn("a negative lookahead '(?!' is outside the regular subset", error["message"])

    def test_streamed_and_whole_arguments_are_the_same_bytes(self):
        tools = [FLIGHT, TREE, SEARCH]
        for seed, question in enumerate(QUESTIONS):
            kw = dict(model="smollm2", messages=[{"role": "user", "content": question}], tools=tools,
                      tool_choice="required", max_tokens=MAX_TOKENS, temperature=0.8, seed=seed)
            with self.subTest(seed=seed):
                whole = self.client.chat.completions.create(**kw).choices[0]
                calls, finish = [], None
                for chunk in self.client.chat.completions.create(stream=True, **kw):
                    if not chunk.choices:
                        continue
                    finish = chunk.choices[0].finish_reason or finish
                    for piece in chunk.choices[0].delta.tool_calls or []:
                        if piece.index == len(calls):
                            calls.append([piece.function.name, ""])
                        calls[piece.index][1] += piece.function.arguments or ""
                self.assertEqual(finish, whole.finish_reason)
                self.assertEqual([[c.function.name, c.function.arguments] for c in whole.message.tool_calls], calls)


if __name__ == "__main__":
    sys.exit(serve_harness.main())
