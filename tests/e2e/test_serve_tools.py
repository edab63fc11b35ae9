#!/usr/bin/env python3
"""lmc serve's tool calls through the `openai` client on the real SmolLM2-135M-Instruct,
its arguments judged by the `jsonschema` package (a validator lmc shares nothing with).

  test_serve_tools.py --lmc build/tools/lmc

Exit 77 when the weights are absent. SmolLM2's own template has no tool section, so lmc
teaches it the tools in the Hermes form; the tests hold whatever a 135M model makes of it:
  * 20 requests over two tools (one with nested object and enum arguments), under
    tool_choice "required" and a named function: every answer is tool calls (content
    null, finish_reason "tool_calls") whose arguments parse and validate; one call only
    with parallel_tool_calls false;
  * a three-turn conversation with the tool's results goes back in and is answered;
  * streamed tool-call deltas (the arguments in pieces as they come) add up, in the openai
    client's way, to the same call; cut by max_tokens or a stop string too (finish_reason
    "length" or "stop");
  * "auto" answers in text or with a call that validates; "none" answers in text; bad tool
    shapes are a 400 naming the field.
Then the same model chats through small templates in the style of the two other families
(--chat-template-file), whose form lmc reads from the template: Llama 3's JSON answer
{"name", "parameters"} and Mistral's [TOOL_CALLS] array. There, "required" and named calls
validate, streamed deltas add up to the whole answer's calls, and earlier calls are rendered
by the template.
"""
import json
import os
import sys
import tempfile
import unittest
from concurrent.futures import ThreadPoolExecutor

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness  # noqa: E402  (its Server: an lmc serve process on a free port)

MAX_TOKENS = 80
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "The current weather in a city.",
    "parameters": {"type": "object", "properties": {
        "city": {"type": "string", "maxLength": 24},
        "unit": {"enum": ["celsius", "fahrenheit"]}},
        "required": ["city", "unit"]}}}
BOOK = {"type": "function", "function": {
    "name": "book_table", "description": "Books a table at a restaurant.",
    "parameters": {"type": "object", "properties": {
        "restaurant": {"type": "string", "maxLength": 24},
        "party": {"type": "object", "properties": {
            "size": {"type": "integer"},
            "seating": {"enum": ["indoor", "outdoor", "bar"]}},
            "required": ["size", "seating"]},
        "notes": {"type": ["string", "null"], "maxLength": 16}},
        "required": ["restaurant", "party"]}}}
TOOLS = [WEATHER, BOOK]
SCHEMAS = {t["function"]["name"]: t["function"]["parameters"] for t in TOOLS}
QUESTIONS = ["What is the weather in Paris?", "Book a table for four at Luigi's, outside.",
             "Is it raining in Tokyo right now?", "I need a table for two at the bar of Chez Marie.",
             "How warm is it in Berlin, in fahrenheit?"]
CHOICES = ["required", {"type": "function", "function": {"name": "get_weather"}},
           {"type": "function", "function": {"name": "book_table"}}, "required"]


def checked_calls(test, choice, name=None):
    """An answer that is calls, each of `name` when given, whose arguments validate; several
    may follow one another (parallel_tool_calls)."""
    test.assertEqual(choice.finish_reason, "tool_calls")
    test.assertIsNone(choice.message.content)
    calls = choice.message.tool_calls
    test.assertTrue(calls)
    for call in calls:
        test.assertEqual(call.type, "function")
        if name:
            test.assertEqual(call.function.name, name)
        jsonschema.validate(json.loads(call.function.arguments), SCHEMAS[call.function.name])
    test.assertEqual(len({call.id for call in calls}), len(calls))
    return calls


class ToolCalls(serve_harness.ServedTestCase):
    FLAGS = ("--parallel", "4", "--ctx-size", "4096", "--temp", "0")

    def ask(self, messages, tool_choice, **kw):
        return self.client.chat.completions.create(model="smollm2", messages=messages, tools=TOOLS,
                                                   tool_choice=tool_choice, max_tokens=MAX_TOKENS, **kw)

    def check_call(self, choice, name=None):
        return checked_calls(self, choice, name)[0]

    def test_twenty_required_and_named_calls_validate(self):
        cases = [(q, c) for q in QUESTIONS for c in CHOICES]
        self.assertEqual(len(cases), 20)
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda qc: self.ask([{"role": "user", "content": qc[0]}], qc[1]), cases))
        for (question, choice), answer in zip(cases, answers):
            with self.subTest(question=question, choice=str(choice)):
                self.check_call(answer.choices[0], None if choice == "required" else choice["function"]["name"])

    def test_a_conversation_with_tool_results_round_trips(self):
        messages = [{"role": "user", "content": "What is the weather in Paris?"}]
        call = self.check_call(self.ask(messages, "required").choices[0])
        messages.append({"role": "assistant", "content": None, "tool_calls": [
            {"id": call.id, "type": "function",
             "function": {"name": call.function.name, "arguments": call.function.arguments}}]})
        messages.append({"role": "tool", "tool_call_id": call.id, "content": '{"sky": "sunny", "degrees": 21}'})
        answer = self.ask(messages, "auto").choices[0]
        self.assertIn(answer.finish_reason, ("stop", "length", "tool_calls"))
        self.assertTrue(answer.message.content or answer.message.tool_calls)
        messages.append({"role": "assistant", "content": answer.message.content or ""})
        messages.append({"role": "user", "content": "And in Rome?"})
        self.check_call(self.ask(messages, {"type": "function", "function": {"name": "get_weather"}}).choices[0],
                        "get_weather")
        _, rendered = self.server.request("POST", "/apply-template", {"messages": messages[:3]})
        prompt = json.loads(rendered)["prompt"]
        self.assertIn("<tool_call>", prompt)
        self.assertIn('"degrees": 21', prompt)
        _, props = self.server.request("GET", "/props")
        self.assertEqual(json.loads(props)["tool_call_format"], "Hermes")  # taught to SmolLM2's template

    def test_streamed_deltas_reassemble_to_the_same_call(self):
        messages = [{"role": "user", "content": "Book a table for four at Luigi's, outside."}]
        whole = self.check_call(self.ask(messages, "required").choices[0])
        with self.client.chat.completions.stream(model="smollm2", messages=messages, tools=TOOLS,
                                                 tool_choice="required", max_tokens=MAX_TOKENS) as stream:
            pieces = sum(1 for event in stream if event.type == "chunk" and event.chunk.choices
                         and event.chunk.choices[0].delta.tool_calls)
            streamed = stream.get_final_completion().choices[0]
        self.assertGreater(pieces, 2)  # the arguments come as they are generated, not at the end
        call = self.check_call(streamed)
        self.assertEqual(call.function.name, whole.function.name)
        self.assertEqual(json.loads(call.function.arguments), json.loads(whole.function.arguments))

    def test_a_call_cut_by_max_tokens_or_a_stop_string_reads_the_same_streamed(self):
        """Cut by max_tokens or a stop string, an answer is what its stream sent, as OpenAI and
        llama-server answer: before the call's name its text, after it the call with its
        arguments as far as they came (not JSON yet); finish_reason "length" or "stop" both
        ways (or "tool_calls" where max_tokens leaves room to close the call). The stop strings are each tool's first argument's key, inside its arguments."""
        messages = [{"role": "user", "content": QUESTIONS[0]}]
        cut_calls = {"length": 0, "stop": 0, "tool_calls": 0}
        for cut in ({"max_tokens": 10}, {"max_tokens": 18}, {"max_tokens": 24},
                    {"stop": ['"city"', '"restaurant"']}):
            with self.subTest(**cut):
                kw = dict(model="smollm2", messages=messages, tools=TOOLS, tool_choice="required",
                          **{"max_tokens": MAX_TOKENS, **cut})
                whole = self.client.chat.completions.create(**kw).choices[0]
                content, calls, finish = None, [], None
                for chunk in self.client.chat.completions.create(stream=True, **kw):
                    if not chunk.choices:
                        continue
                    delta = chunk.choices[0].delta
                    finish = chunk.choices[0].finish_reason or finish
                    if delta.content:
                        content = (content or "") + delta.content
                    for piece in delta.tool_calls or []:
                        if piece.index == len(calls):
                            calls.append([piece.function.name, ""])
                        calls[piece.index][1] += piece.function.arguments or ""
                # A budget that leaves room for the call's shortest completion closes it on its
                # last token: whole calls, as a stop after them would leave.
                closed = "stop" not in cut and whole.finish_reason == "tool_calls"
                expected = "stop" if "stop" in cut else "tool_calls" if closed else "length"
                if closed:
                    json.loads(whole.message.tool_calls[-1].function.arguments)
                self.assertEqual(whole.finish_reason, expected)
                self.assertEqual(finish, expected)
                self.assertEqual(whole.message.content, content)
                self.assertEqual([[c.function.name, c.function.arguments] for c in whole.message.tool_calls or []],
                                 calls)
                cut_calls[expected] += bool(calls) and not closed
        self.assertGreater(cut_calls["length"], 0)  # some cut fell inside a call's arguments
        self.assertGreater(cut_calls["stop"], 0)

    def test_auto_answers_in_text_or_with_a_valid_call(self):
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda q: self.ask([{"role": "user", "content": q}], "auto"), QUESTIONS))
        for question, answer in zip(QUESTIONS, answers):
            with self.subTest(question=question):
                choice = answer.choices[0]
                if choice.message.tool_calls:
                    self.check_call(choice)
                else:  # a call that starts is completed under its schema, so never left as text
                    self.assertFalse(choice.message.content.startswith("<tool_call>"), choice.message.content)

    def test_without_parallel_calls_an_answer_is_one_call(self):
        answer = self.ask([{"role": "user", "content": QUESTIONS[0]}], "required", parallel_tool_calls=False)
        self.assertEqual(len(checked_calls(self, answer.choices[0])), 1)

    def test_none_answers_in_text(self):
        answer = self.ask([{"role": "user", "content": "Say hello."}], "none").choices[0]
        self.assertIsNone(answer.message.tool_calls)
        self.assertIsInstance(answer.message.content, str)

    def test_bad_shapes_name_their_field(self):
        user = [{"role": "user", "content": "hi"}]
        table = [
            ({"tools": {"type": "function"}}, "tools"),
            ({"tools": [{"type": "retrieval"}]}, "tools[0]"),
            ({"tools": [{"type": "function", "function": {"name": "a\nb"}}]}, "tools[0].function.name"),
            ({"tools": [WEATHER, WEATHER]}, "tools[1].function.name"),
            ({"tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object", "properties": {
                "x": {"$ref": "#/$defs/missing"}}}}}]}, "tools[0].function.parameters"),
            ({"tools": TOOLS, "tool_choice": "always"}, "tool_choice"),
            ({"tools": TOOLS, "tool_choice": {"type": "function", "function": {"name": "nope"}}}, "tool_choice"),
            ({"tool_choice": "required"}, "tool_choice"),
            ({"tools": TOOLS, "parallel_tool_calls": "yes"}, "parallel_tool_calls"),
            ({"tools": TOOLS, "tool_choice": "required", "response_format": {"type": "json_object"}},
             "response_format"),
            ({"messages": user + [{"role": "assistant", "content": None, "tool_calls": [
                {"id": "c", "type": "function", "function": {"name": "f", "arguments": "{oops"}}]},
                {"role": "user", "content": "hi"}]}, "messages[1].tool_calls[0].function.arguments"),
            ({"messages": user + [{"role": "tool", "content": "x"}]}, "messages[1].tool_call_id"),
        ]
        for extra, param in table:
            with self.subTest(param=param):
                got, data = self.server.request("POST", "/v1/chat/completions", {"messages": user, **extra})
                self.assertEqual(got, 400, data[:300])
                self.assertEqual(json.loads(data)["error"]["param"], param)


# Llama 3.1's way with tools, cut down: the tools and the answer's format in the system turn,
# an earlier call as its bare JSON, a result in the ipython turn.
LLAMA3_TEMPLATE = """{{- bos_token }}<|start_header_id|>system<|end_header_id|>

{% if tools %}Given the following functions, please respond with a JSON for a function call with its proper \
arguments that best answers the given prompt.

Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}. \
Do not use variables.

{% for t in tools %}{{ t | tojson(indent=4) }}

{% endfor %}{% endif %}<|eot_id|>
{%- for m in messages %}
{%- if m.role == 'assistant' and m.tool_calls %}<|start_header_id|>assistant<|end_header_id|>

{% for c in m.tool_calls %}{"name": "{{ c.function.name }}", "parameters": {{ c.function.arguments | tojson }}}\
{% endfor %}<|eot_id|>
{%- elif m.role == 'tool' %}<|start_header_id|>ipython<|end_header_id|>

{{ m.content }}<|eot_id|>
{%- else %}<|start_header_id|>{{ m.role }}<|end_header_id|>

{{ m.content }}<|eot_id|>
{%- endif %}
{%- endfor %}
{%- if add_generation_prompt %}<|start_header_id|>assistant<|end_header_id|>

{% endif %}"""

# Mistral's way, cut down: the tools before the last user turn, earlier calls as one
# [TOOL_CALLS] array, results in [TOOL_RESULTS].
MISTRAL_TEMPLATE = """{{- bos_token }}
{%- for m in messages %}
{%- if m.role == 'user' %}
{%- if loop.last and tools %}[AVAILABLE_TOOLS]{{ tools | tojson }}[/AVAILABLE_TOOLS]{% endif %}\
[INST]{{ m.content }}[/INST]
{%- elif m.role == 'assistant' and m.tool_calls %}[TOOL_CALLS][{% for c in m.tool_calls %}\
{"name": "{{ c.function.name }}", "arguments": {{ c.function.arguments | tojson }}}\
{% if not loop.last %}, {% endif %}{% endfor %}]{{ eos_token }}
{%- elif m.role == 'tool' %}[TOOL_RESULTS]{"content": {{ m.content | tojson }}}[/TOOL_RESULTS]
{%- else %}{{ m.content }}{{ eos_token }}
{%- endif %}
{%- endfor %}"""


class FamilyForm:
    """Tool calls through a template of another family; a subclass names it and what marks
    an earlier call in its rendered prompt."""
    TEMPLATE = MARK = FORM = None
    SEVERAL = False  # whether an answer may hold more than one call

    @classmethod
    def setUpClass(cls):
        cls.file = tempfile.NamedTemporaryFile("w", suffix=".jinja")
        cls.file.write(cls.TEMPLATE)
        cls.file.flush()
        cls.server = serve_harness.Server("--parallel", "4", "--ctx-size", "4096", "--temp", "0",
                                          "--chat-template-file", cls.file.name)
        cls.client = cls.server.client()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.file.close()

    def ask(self, question, tool_choice):
        return self.client.chat.completions.create(model="smollm2", messages=[{"role": "user", "content": question}],
                                                   tools=TOOLS, tool_choice=tool_choice, max_tokens=MAX_TOKENS)

    def check_calls(self, choice, name=None):
        calls = checked_calls(self, choice, name)
        if not self.SEVERAL:
            self.assertEqual(len(calls), 1)
        return calls

    def test_required_and_named_calls_validate(self):
        cases = [(q, c) for q in QUESTIONS[:2] for c in CHOICES[:2]]
        with ThreadPoolExecutor(4) as pool:
            answers = list(pool.map(lambda qc: self.ask(*qc), cases))
        for (question, choice), answer in zip(cases, answers):
            with self.subTest(question=question, choice=str(choice)):
                self.check_calls(answer.choices[0], None if choice == "required" else choice["function"]["name"])

    def test_streamed_deltas_reassemble_to_the_same_calls(self):
        question = QUESTIONS[1]
        whole = self.check_calls(self.ask(question, "required").choices[0])
        with self.client.chat.completions.stream(model="smollm2", messages=[{"role": "user", "content": question}],
                                                 tools=TOOLS, tool_choice="required",
                                                 max_tokens=MAX_TOKENS) as stream:
            for _ in stream:
                pass
            streamed = self.check_calls(stream.get_final_completion().choices[0])
        self.assertEqual([(c.function.name, json.loads(c.function.arguments)) for c in streamed],
                         [(c.function.name, json.loads(c.function.arguments)) for c in whole])

    def test_the_form_is_the_templates(self):
        _, props = self.server.request("GET", "/props")
        self.assertEqual(json.loads(props)["tool_call_format"], self.FORM)

    def test_earlier_calls_are_rendered_in_the_form(self):
        messages = [{"role": "user", "content": QUESTIONS[0]},
                    {"role": "assistant", "content": None, "tool_calls": [{"id": "c1", "type": "function", "function": {
                        "name": "get_weather", "arguments": '{"city": "Paris", "unit": "celsius"}'}}]},
                    {"role": "tool", "tool_call_id": "c1", "content": '{"degrees": 21}'}]
        _, rendered = self.server.request("POST", "/apply-template", {"messages": messages})
        self.assertIn(self.MARK, json.loads(rendered)["prompt"])


class Llama3Form(FamilyForm, unittest.TestCase):
    TEMPLATE = LLAMA3_TEMPLATE
    FORM = "Llama 3 JSON"
    MARK = '{"name": "get_weather", "parameters": {"city": "Paris"'
    SEVERAL = True  # joined by ';'


class MistralForm(FamilyForm, unittest.TestCase):
    TEMPLATE = MISTRAL_TEMPLATE
    FORM = "Mistral"
    MARK = '[TOOL_CALLS][{"name": "get_weather", "arguments": {"city": "Paris"'
    SEVERAL = True


if __name__ == "__main__":
    sys.exit(serve_harness.main())
