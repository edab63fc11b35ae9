#!/usr/bin/env python3
"""lmc serve's structured output (response_format) on the real Gemma 3 270M, judged by the
`jsonschema` package (a validator lmc shares nothing with).

  test_serve_json.py --lmc build/tools/lmc

Exit 77 when the weights are absent. On 4 slots with a short context, so it runs in
seconds of generation:
  * 20 schemas (nested objects, arrays, enums, anyOf, oneOf, $ref, integers, numbers,
    booleans, nulls): each answer parses and validates, with finish_reason "stop" (or
    "length" when the budget closed it on its last token);
  * json_object answers are one JSON object; streamed answers add up to the whole answer;
    seeded sampling repeats and validates; the completions endpoint takes it too;
  * an answer the token budget would cut is closed in time, whole on its last token
    (finish_reason "length");
  * schemas lmc cannot honour are a 400 naming the keyword's place in the schema.
"""
import json
import os
import sys
import unittest
from concurrent.futures import ThreadPoolExecutor

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness  # noqa: E402  (its Server: an lmc serve process on a free port)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODEL = os.path.join(ROOT, "models", "weights", "gemma-3-270m-q4_k_m.gguf")
MAX_TOKENS = 96

NAME = {"type": "string", "maxLength": 24}
SCHEMAS = [
    ("person", {"type": "object", "properties": {"name": NAME, "age": {"type": "integer"}},
                "required": ["name", "age"]}),
    ("book", {"type": "object", "properties": {"title": NAME, "year": {"type": "integer"}, "in_print": {"type": "boolean"}},
              "required": ["title", "year", "in_print"], "additionalProperties": False}),
    ("colors", {"type": "array", "items": {"enum": ["red", "green", "blue", "yellow"]}, "minItems": 2, "maxItems": 4}),
    ("weather", {"type": "object", "properties": {"city": NAME, "sky": {"enum": ["sunny", "cloudy", "rain"]},
                                                   "celsius": {"type": "number"}},
                 "required": ["city", "sky", "celsius"]}),
    ("nullable", {"type": "object", "properties": {"nickname": {"type": ["string", "null"], "maxLength": 16},
                                                    "spouse": {"type": "null"}},
                  "required": ["nickname", "spouse"]}),
    ("nested", {"type": "object", "properties": {
        "company": NAME,
        "address": {"type": "object", "properties": {"street": NAME, "zip": {"type": "integer"}},
                    "required": ["street", "zip"]}},
        "required": ["company", "address"]}),
    ("matrix", {"type": "array", "items": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
                "minItems": 2, "maxItems": 3}),
    ("any_of", {"type": "object", "properties": {"value": {"anyOf": [{"type": "integer"}, {"type": "string",
                                                                                         "maxLength": 10}]}},
                "required": ["value"]}),
    ("one_of", {"oneOf": [
        {"type": "object", "properties": {"kind": {"const": "circle"}, "radius": {"type": "number"}},
         "required": ["kind", "radius"]},
        {"type": "object", "properties": {"kind": {"const": "square"}, "side": {"type": "number"}},
         "required": ["kind", "side"]}]}),
    ("refs", {"$defs": {"point": {"type": "object", "properties": {"x": {"type": "integer"}, "y": {"type": "integer"}},
                                  "required": ["x", "y"]}},
              "type": "object", "properties": {"start": {"$ref": "#/$defs/point"}, "end": {"$ref": "#/$defs/point"}},
              "required": ["start", "end"]}),
    ("definitions", {"definitions": {"tag": {"type": "string", "maxLength": 12}},
                     "type": "array", "items": {"$ref": "#/definitions/tag"}, "minItems": 1, "maxItems": 3}),
    ("recursive", {"$defs": {"node": {"type": "object", "properties": {
        "label": {"type": "string", "maxLength": 8},
        "children": {"type": "array", "items": {"$ref": "#/$defs/node"}, "maxItems": 2}},
        "required": ["label", "children"]}}, "$ref": "#/$defs/node"}),
    ("flags", {"type": "object", "properties": {"admin": {"type": "boolean"}, "active": {"type": "boolean"},
                                                 "verified": {"type": "boolean"}},
               "required": ["admin", "active", "verified"]}),
    ("integers", {"type": "array", "items": {"type": "integer"}, "minItems": 3, "maxItems": 5}),
    ("optional", {"type": "object", "properties": {"a": {"type": "integer"}, "b": NAME, "c": {"type": "boolean"}},
                  "required": ["b"]}),
    ("enum_mixed", {"type": "object", "properties": {"answer": {"enum": ["yes", "no", 0, 1, None, True]}},
                    "required": ["answer"]}),
    ("string_bounds", {"type": "object", "properties": {"code": {"type": "string", "minLength": 3, "maxLength": 5}},
                       "required": ["code"]}),
    ("map", {"type": "object", "additionalProperties": {"type": "integer"}}),
    ("scalar", {"type": "string", "maxLength": 20}),
    ("order", {"type": "object", "properties": {
        "id": {"type": "integer"},
        "items": {"type": "array", "items": {"type": "object", "properties": {"sku": NAME, "qty": {"type": "integer"}},
                                              "required": ["sku", "qty"]}, "minItems": 1, "maxItems": 2},
        "paid": {"type": "boolean"}, "note": {"type": ["string", "null"], "maxLength": 12}},
        "required": ["id", "items", "paid", "note"]}),
    ("flight", {"type": "object", "properties": {
        "number": {"type": "string", "pattern": "^[A-Z]{2}\\d{3,4}$"},
        "gate": {"type": "string", "pattern": "[A-F]\\d", "maxLength": 4}}, "required": ["number", "gate"]}),
]
PROMPT = "Answer with JSON only. Make up an example of: {}."

# Schemas lmc refuses: (schema or response_format, words of the error, its param).
BAD = [
    ({"type": "object", "properties": {"code": {"type": "string", "pattern": "^(?=A)[A-Z]+$"}}},
     "a lookahead '(?=' is outside the regular subset lmc compiles (at /properties/code/pattern)",
     "response_format.json_schema.schema"),
    ({"type": "object", "properties": {"p": {"type": "number", "minimum": 0.2, "maximum": 0.7}}},
     "(at /properties/p/minimum)", "response_format.json_schema.schema"),
    ({"type": "string", "format": "uri-template"}, "'format'", "response_format.json_schema.schema"),
    ({"$ref": "https://example.com/person.json"}, "(at /$ref)", "response_format.json_schema.schema"),
    ({"oneOf": [{"type": "number"}, {"type": "integer"}]}, "(at /oneOf/1)", "response_format.json_schema.schema"),
    ({"type": "object", "properties": {"a": {}}, "required": ["b"]}, "(at /required/0)",
     "response_format.json_schema.schema"),
    ({"type": "strng"}, "(at /type)", "response_format.json_schema.schema"),
]
BAD_FORMATS = [
    ({"type": "xml"}, "'response_format.type'", "response_format.type"),
    # A name may be left out and a json_object may carry its schema (llama-server's forms), but a name
    # that is given must be one, and so must the schema.
    ({"type": "json_schema", "json_schema": {"name": "", "schema": {"type": "object"}}},
     "'response_format.json_schema.name'", "response_format.json_schema.name"),
    ({"type": "json_schema", "json_schema": {"name": "x"}}, "'response_format.json_schema.schema' is required",
     "response_format.json_schema.schema"),
    ({"type": "json_object", "schema": 123}, "'response_format.schema'", "response_format.schema"),
    ({"type": "json_object", "schema": {"type": "hiccup"}}, "'response_format.schema'", "response_format.schema"),
]


def schema_format(name, schema):
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


class StructuredOutput(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = serve_harness.Server("--parallel", "4", "--ctx-size", "2048")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def chat(self, what, response_format, **kw):
        body = {"messages": [{"role": "user", "content": PROMPT.format(what)}], "max_tokens": MAX_TOKENS,
                "temperature": 0, "response_format": response_format, **kw}
        status, data = self.server.request("POST", "/v1/chat/completions", body)
        self.assertEqual(status, 200, data)
        return json.loads(data)

    def check(self, name, schema, answer, max_tokens=MAX_TOKENS):
        """The answer's JSON, valid under the schema; ended by its length only when whole on
        its last token (closed to fit max_tokens)."""
        choice = answer["choices"][0]
        closed = answer["usage"]["completion_tokens"] == max_tokens
        self.assertEqual(choice["finish_reason"], "length" if closed else "stop", f"{name}: {choice}")
        text = choice["message"]["content"] if "message" in choice else choice["text"]
        value = json.loads(text)
        jsonschema.validate(value, schema)
        return value

    def test_twenty_schemas_answer_valid_json(self):
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda s: self.chat(s[0], schema_format(*s)), SCHEMAS))
        for (name, schema), answer in zip(SCHEMAS, answers):
            with self.subTest(schema=name):
                self.check(name, schema, answer)

    def test_json_object_streamed_and_whole(self):
        fmt = {"type": "json_object"}
        whole = self.chat("a pet", fmt)
        self.assertIsInstance(self.check("json_object", {"type": "object"}, whole), dict)
        client = self.server.client()
        chunks = list(client.chat.completions.create(
            model=client.models.list().data[0].id, messages=[{"role": "user", "content": PROMPT.format("a pet")}],
            max_tokens=MAX_TOKENS, temperature=0, response_format=fmt, stream=True))
        self.assertEqual("".join(c.choices[0].delta.content or "" for c in chunks if c.choices),
                         whole["choices"][0]["message"]["content"])
        self.assertEqual(chunks[-1].choices[0].finish_reason, whole["choices"][0]["finish_reason"])

    def test_seeded_sampling_repeats_and_validates(self):
        name, schema = SCHEMAS[3]
        runs = [self.chat(name, schema_format(name, schema), temperature=0.9, seed=11) for _ in range(2)]
        self.assertEqual(runs[0]["choices"][0]["message"]["content"], runs[1]["choices"][0]["message"]["content"])
        self.check(name, schema, runs[0])

    def test_completions_take_a_response_format(self):
        name, schema = SCHEMAS[0]
        status, data = self.server.request("POST", "/v1/completions", {
            "prompt": "A person as JSON:", "max_tokens": MAX_TOKENS, "temperature": 0,
            "response_format": schema_format(name, schema)})
        self.assertEqual(status, 200, data)
        self.check(name, schema, json.loads(data))

    def test_a_short_budget_still_closes_the_answer(self):
        schema = {"type": "object", "properties": {"story": {"type": "string"}, "tags": {
            "type": "array", "items": {"type": "string"}, "minItems": 2}}, "required": ["story", "tags"]}
        answer = self.chat("a long story", schema_format("story", schema), max_tokens=24)
        self.check("story", schema, answer, 24)
        self.assertEqual(answer["choices"][0]["finish_reason"], "length")  # whole on its last token

    def test_schemas_it_cannot_honour_are_400_naming_the_place(self):
        cases = [(schema_format("bad", s), words, param) for s, words, param in BAD] + BAD_FORMATS
        cases.append((schema_format("x", {"type": "object"}), "'ignore_eos' cannot be combined", "ignore_eos"))
        for fmt, words, param in cases:
            with self.subTest(fmt=json.dumps(fmt)[:80]):
                body = {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 4, "response_format": fmt}
                if param == "ignore_eos":
                    body["ignore_eos"] = True
                status, data = self.server.request("POST", "/v1/chat/completions", body)
                self.assertEqual(status, 400, data)
                error = json.loads(data)["error"]
                self.assertIn(words, error["message"])
                self.assertEqual(error["param"], param)

    def test_llama_completion_answers_its_json_schema(self):
        schema = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}
        status, data = self.server.request("POST", "/completion", {
            "prompt": "The capital of France as JSON:", "n_predict": 24, "temperature": 0, "json_schema": schema})
        self.assertEqual(status, 200, data)
        answer = json.loads(json.loads(data)["content"])
        self.assertIsInstance(answer["city"], str)

    def test_llama_completion_refuses_a_schema_with_ignore_eos_as_the_openai_routes_do(self):
        status, data = self.server.request("POST", "/completion", {
            "prompt": "hi", "n_predict": 4, "json_schema": {"type": "object"}, "ignore_eos": True})
        self.assertEqual(status, 400, data)
        error = json.loads(data)["error"]
        self.assertIn("'ignore_eos' cannot be combined with a JSON 'json_schema'", error["message"])
        self.assertEqual(error["param"], "ignore_eos")


if __name__ == "__main__":
    sys.exit(serve_harness.main(MODEL))
