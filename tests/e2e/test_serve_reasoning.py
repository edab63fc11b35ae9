#!/usr/bin/env python3
"""A chat's prompt made visible and continued, and a reasoning model's answer parted, on the
real SmolLM2-135M-Instruct served with a Qwen3-style template (--chat-template-file) whose
generation prompt opens <think> unless `enable_thinking` is false:

  test_serve_reasoning.py --lmc build/tools/lmc

Exit 77 when the weights are absent.
  * /apply-template takes a chat completion's body: its tools, add_generation_prompt and
    chat_template_kwargs reach the template (reasoning_effort too);
  * the answer after an opened <think> is `reasoning_content`, whole and streamed, with the
    same bytes that `reasoning_format: "none"` leaves in the content; enable_thinking false
    closes it in the prompt and the answer is content;
  * the model file's own template (SmolLM2's, which reads no tools) shows the tools too;
  * /props shows the server's --reasoning-format;
  * bad fields and --reasoning-format values are refused naming them.
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness  # noqa: E402  (its Server: an lmc serve process on a free port)

TEMPLATE = (
    "{%- if tools %}<|im_start|>system\nTools: {{ tools | tojson }}<|im_end|>\n{% endif %}"
    "{%- for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}"
    "{%- if add_generation_prompt %}<|im_start|>assistant\n"
    "{% if reasoning_effort is defined %}(effort: {{ reasoning_effort }})\n{% endif %}"
    "{% if enable_thinking is defined and not enable_thinking %}<think>\n\n</think>\n\n"
    "{% else %}<think>\n{% endif %}{% endif %}")
WEATHER = {"type": "function", "function": {
    "name": "get_weather", "description": "The weather in a city.",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}
QUESTION = [{"role": "user", "content": "What is the capital of France?"}]


def split(text, opened=True):
    """The parts llama-server's deepseek format reads in an answer (after an opened <think>)."""
    if not opened:
        if not text.lstrip().startswith("<think>"):
            return "", text
        text = text.lstrip()[len("<think>"):]
    if "</think>" not in text:
        return text.strip(), ""
    reasoning, content = text.split("</think>", 1)
    return reasoning.strip(), content.lstrip()


class Reasoning(serve_harness.ServedTestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        path = os.path.join(cls.dir.name, "qwen3-style.jinja")
        with open(path, "w") as f:
            f.write(TEMPLATE)
        cls.FLAGS = ("--chat-template-file", path, "--reasoning-format", "deepseek")
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.dir.cleanup()

    def post(self, path, body, status=200):
        got, data = self.server.request("POST", path, body)
        self.assertEqual(got, status, data)
        return json.loads(data)

    def test_apply_template_takes_a_chat_completions_body(self):
        prompt = self.post("/apply-template", {"messages": QUESTION})["prompt"]
        self.assertTrue(prompt.endswith("<|im_start|>assistant\n<think>\n"), prompt)
        prompt = self.post("/apply-template", {"messages": QUESTION, "tools": [WEATHER], "tool_choice": "auto",
                                               "temperature": 0.5, "max_tokens": 9})["prompt"]
        self.assertIn('Tools: [{"type": "function", "function": {"name": "get_weather"', prompt)
        prompt = self.post("/apply-template", {"messages": QUESTION, "add_generation_prompt": False})["prompt"]
        self.assertTrue(prompt.endswith("<|im_end|>\n"), prompt)
        prompt = self.post("/apply-template", {"messages": QUESTION, "chat_template_kwargs": {"enable_thinking": False},
                                               "reasoning_effort": "high"})["prompt"]
        self.assertTrue(prompt.endswith("assistant\n(effort: high)\n<think>\n\n</think>\n\n"), prompt)
        prompt = self.post("/apply-template", {"messages": QUESTION, "reasoning_effort": "none"})["prompt"]
        self.assertTrue(prompt.endswith("<think>\n\n</think>\n\n"), prompt)

    def test_the_answer_after_an_opened_think_is_reasoning(self):
        for seed in range(3):
            b = {"messages": QUESTION, "seed": seed, "temperature": 0.8, "max_tokens": 24}
            with self.subTest(seed=seed):
                raw = self.post("/v1/chat/completions", dict(b, reasoning_format="none"))["choices"][0]["message"]
                self.assertNotIn("reasoning_content", raw)
                message = self.post("/v1/chat/completions", b)["choices"][0]["message"]
                reasoning, content = split(raw["content"])
                self.assertEqual(message.get("reasoning_content", ""), reasoning)
                self.assertEqual(message["content"], content)
                self.assertTrue(reasoning)
                streamed = self.client.chat.completions.create(stream=True, model="any", **b)
                parts = {"reasoning_content": "", "content": ""}
                for chunk in streamed:
                    if not chunk.choices:
                        continue
                    delta = chunk.choices[0].delta
                    parts["content"] += delta.content or ""
                    parts["reasoning_content"] += (delta.model_extra or {}).get("reasoning_content") or ""
                self.assertEqual(parts, {"reasoning_content": reasoning, "content": content})

    def test_enable_thinking_false_answers_in_content(self):
        # The prompt closes the reasoning: nothing of the answer is moved out of its content.
        for seed in range(3):
            b = {"messages": QUESTION, "seed": seed, "temperature": 0.8, "max_tokens": 12,
                 "chat_template_kwargs": {"enable_thinking": False}}
            with self.subTest(seed=seed):
                raw = self.post("/v1/chat/completions", dict(b, reasoning_format="none"))["choices"][0]["message"]
                message = self.post("/v1/chat/completions", b)["choices"][0]["message"]
                reasoning, content = split(raw["content"], opened=False)
                self.assertEqual(message.get("reasoning_content", ""), reasoning)
                self.assertEqual(message["content"], content)

    def test_bad_fields_name_themselves(self):
        table = [("chat_template_kwargs", [1], "'chat_template_kwargs' must be an object"),
                 ("chat_template_kwargs", {"enable_thinking": "no"}, "must be true or false"),
                 ("chat_template_kwargs", {"messages": []}, "may not set 'messages'"),
                 ("add_generation_prompt", "yes", "must be true or false"),
                 ("reasoning_format", "think", "must be none, deepseek, deepseek-legacy or auto"),
                 ("reasoning_effort", 5, "'reasoning_effort' must be a string")]
        for path in ("/apply-template", "/v1/chat/completions"):
            for field, value, words in table:
                with self.subTest(path=path, field=field, value=value):
                    error = self.post(path, {"messages": QUESTION, field: value}, 400)["error"]
                    self.assertEqual(error["param"], field)
                    self.assertIn(words, error["message"])

    def test_props_show_the_reasoning_format(self):
        _, data = self.server.request("GET", "/props")
        self.assertEqual(json.loads(data)["default_generation_settings"]["params"]["reasoning_format"], "deepseek")

    def test_a_bad_reasoning_format_flag_is_a_usage_error(self):
        p = subprocess.run([serve_harness.LMC, "serve", serve_harness.MODEL, "--reasoning-format", "think"],
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("--reasoning-format expects none, deepseek, deepseek-legacy or auto, got 'think'", p.stderr)


class ServerTemplateKwargs(unittest.TestCase):
    """llama-server's --chat-template-kwargs: variables every chat's template gets, a request's own winning."""

    def test_the_flag_reaches_every_chat_and_a_request_wins(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "qwen3-style.jinja")
            with open(path, "w") as f:
                f.write(TEMPLATE)
            server = serve_harness.Server("--chat-template-file", path, "--parallel", "1",
                                          "--chat-template-kwargs", '{"enable_thinking": false}')
            try:
                status, data = server.request("POST", "/apply-template", {"messages": QUESTION})
                self.assertEqual(status, 200, data)
                self.assertTrue(json.loads(data)["prompt"].endswith("<think>\n\n</think>\n\n"), data)
                status, data = server.request("POST", "/apply-template", {
                    "messages": QUESTION, "chat_template_kwargs": {"enable_thinking": True}})
                self.assertTrue(json.loads(data)["prompt"].endswith("<|im_start|>assistant\n<think>\n"), data)
            finally:
                server.stop()
        for flag, code, words in (("[1]", 2, "--chat-template-kwargs expects a JSON object, got '[1]'"),
                                  ('{"messages": 1}', 1, "--chat-template-kwargs: 'chat_template_kwargs' may not set"
                                                         " 'messages'")):
            p = subprocess.run([serve_harness.LMC, "serve", serve_harness.MODEL, "--chat-template-kwargs", flag],
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, code, p.stderr)
            self.assertIn(words, p.stderr)


class OwnTemplate(serve_harness.ServedTestCase):
    """The model file's template, which reads no tools: lmc teaches them in the system message."""

    def test_apply_template_shows_the_tools(self):
        status, data = self.server.request("POST", "/apply-template", {"messages": QUESTION, "tools": [WEATHER]})
        self.assertEqual(status, 200, data)
        prompt = json.loads(data)["prompt"]
        self.assertIn('"name":"get_weather"', prompt)
        self.assertIn("<tool_call>", prompt)


if __name__ == "__main__":
    sys.exit(serve_harness.main())
