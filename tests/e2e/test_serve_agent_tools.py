#!/usr/bin/env python3
"""lmc serve's tool calls and structured answers as an agent developer meets them, through the
`openai` client on the real SmolLM2-135M-Instruct, judged by the `jsonschema` package and by
Pydantic itself (with email-validator):

  test_serve_agent_tools.py --lmc build/tools/lmc

Exit 77 when the weights are absent.
  * forced calls on recursive tools (a Pydantic tree model, and a graph of two mutually
    recursive models) at temperature 0.7 over 20 seeds: every one a 200 whose arguments
    validate in jsonschema and in Pydantic, never a 5xx (the automaton always has a way out);
  * a tool of 200 properties under auto, none and required, and the same schema as a
    response_format: 200s, and valid answers;
  * parse() over a model with EmailStr, HttpUrl, IPv6Address and datetime fields, 100 answers:
    every one validates in Pydantic (those closed on their last token too, which parse()
    refuses for their finish_reason "length");
  * tool names with dots and dashes (weather.get-current, an MCP bridge's server.tool), as
    llama-server takes them.
"""
import datetime
import ipaddress
import json
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import List, Optional

import jsonschema
import openai
from pydantic import BaseModel, EmailStr, HttpUrl

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness  # noqa: E402  (its Server: an lmc serve process on a free port)

FORMATS = jsonschema.Draft202012Validator.FORMAT_CHECKER


class Node(BaseModel):
    label: str
    children: List["Node"]


class Person(BaseModel):
    name: str
    employer: Optional["Company"]


class Company(BaseModel):
    title: str
    staff: List[Person]


class Contact(BaseModel):
    email: EmailStr
    homepage: HttpUrl
    server: ipaddress.IPv6Address
    seen: datetime.datetime


# As the issue gives it (Pydantic's own schema of Node, additionalProperties false).
TREE_SCHEMA = {"$defs": {"N": {"type": "object", "properties": {
    "label": {"type": "string"}, "children": {"type": "array", "items": {"$ref": "#/$defs/N"}}},
    "required": ["label", "children"], "additionalProperties": False}}, "$ref": "#/$defs/N"}
WIDE_SCHEMA = {"type": "object", "properties": {f"field_{i}": {"type": ["string", "integer", "boolean"][i % 3]}
                                                for i in range(200)},
               "required": ["field_0", "field_101", "field_199"], "additionalProperties": False}


def tool(name, parameters, description="A tool."):
    return {"type": "function", "function": {"name": name, "description": description, "parameters": parameters}}


TREE = tool("make_tree", TREE_SCHEMA, "Makes a task tree.")
GRAPH = tool("make_org", Person.model_json_schema(), "Writes who works where.")
WIDE = tool("fill_form", WIDE_SCHEMA, "Fills a form of 200 fields.")


class AgentTools(serve_harness.ServedTestCase):
    FLAGS = ("--parallel", "4", "--ctx-size", "16384")  # 4096 positions a slot

    def post(self, body):
        status, data = self.server.request("POST", "/v1/chat/completions", body)
        self.assertLess(status, 500, data)
        self.assertEqual(status, 200, data)
        return json.loads(data)["choices"][0]

    def chat(self, question, **kw):
        return self.post({"messages": [{"role": "user", "content": question}], **kw})

    def test_forced_calls_on_recursive_tools_always_close(self):
        cases = [(TREE, "Make a task tree: root 'launch' with children 'build' and 'test'.", seed, choice)
                 for seed in range(10) for choice in ("required", {"type": "function",
                                                                    "function": {"name": "make_tree"}})]
        cases += [(GRAPH, "Ann works at Acme, whose staff are Ann and Bob; Bob works nowhere.", seed, "required")
                  for seed in range(10)]
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda c: self.chat(c[1], tools=[c[0]], tool_choice=c[3], temperature=0.7,
                                                        seed=c[2], max_tokens=400), cases))
        for (t, _, seed, choice), answer in zip(cases, answers):
            with self.subTest(tool=t["function"]["name"], seed=seed, choice=str(choice)):
                self.assertEqual(answer["finish_reason"], "tool_calls", answer)
                call = answer["message"]["tool_calls"][0]["function"]
                arguments = json.loads(call["arguments"])
                jsonschema.validate(arguments, t["function"]["parameters"], format_checker=FORMATS)
                (Node if t is TREE else Person).model_validate(arguments)

    def test_a_tool_of_200_properties_under_every_choice_and_as_response_format(self):
        question = "Fill the form: field_0 is 'Ann', field_101 is 7, field_199 is true."
        for choice in ("auto", "none", "required"):
            with self.subTest(choice=choice):
                answer = self.chat(question, tools=[WIDE, TREE], tool_choice=choice, max_tokens=200, temperature=0)
                calls = answer["message"].get("tool_calls") or []
                if choice == "required":
                    self.assertTrue(calls, answer)
                if choice == "none":
                    self.assertFalse(calls, answer)
                for call in calls:
                    arguments = json.loads(call["function"]["arguments"])
                    schema = {"fill_form": WIDE_SCHEMA, "make_tree": TREE_SCHEMA}[call["function"]["name"]]
                    jsonschema.validate(arguments, schema)
        answer = self.chat(question, max_tokens=300, temperature=0, response_format={
            "type": "json_schema", "json_schema": {"name": "form", "schema": WIDE_SCHEMA}})
        self.assertEqual(answer["finish_reason"], "stop", answer)
        jsonschema.validate(json.loads(answer["message"]["content"]), WIDE_SCHEMA)

    def test_formats_validate_in_pydantic(self):
        def parse(seed):
            try:
                completion = self.client.chat.completions.parse(
                    model="smollm2", messages=[{"role": "user", "content": "Give the contact details of a web admin."}],
                    response_format=Contact, temperature=1.0, seed=seed, n=10, max_tokens=160)
            except openai.LengthFinishReasonError as e:  # some answer was closed on its last token: whole still
                completion = e.completion
            return [choice.message.content for choice in completion.choices]
        # One request at a time: each asks for 10 choices, which take the 4 slots and queue.
        texts = [text for seed in range(10) for text in parse(seed)]
        self.assertEqual(len(texts), 100)
        for text in texts:  # parse() has validated each ended by "stop"; the client would have raised
            contact = Contact.model_validate_json(text)
            jsonschema.validate(json.loads(text), Contact.model_json_schema(), format_checker=FORMATS)
            self.assertTrue(contact.seen.tzinfo is None or contact.seen.utcoffset() is not None)

    def test_names_with_dots_and_dashes(self):
        weather = tool("weather.get-current", {"type": "object", "properties": {"city": {"type": "string"}},
                                               "required": ["city"]})
        bridged = tool("server.tool", {"type": "object", "properties": {}})
        for choice in ("auto", "required", {"type": "function", "function": {"name": "weather.get-current"}}):
            with self.subTest(choice=str(choice)):
                answer = self.chat("What is the weather in Oslo?", tools=[weather, bridged], tool_choice=choice,
                                   max_tokens=60, temperature=0)
                for call in answer["message"].get("tool_calls") or []:
                    self.assertIn(call["function"]["name"], ("weather.get-current", "server.tool"))
                if choice != "auto":
                    self.assertEqual(answer["finish_reason"], "tool_calls")
                if isinstance(choice, dict):
                    self.assertEqual(answer["message"]["tool_calls"][0]["function"]["name"], "weather.get-current")


if __name__ == "__main__":
    sys.exit(serve_harness.main())
