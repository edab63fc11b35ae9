#!/usr/bin/env python3
"""The model file's own chat template, end to end on SmolLM2-135M-Instruct's GGUF:
  * lmc serve's POST /apply-template renders a conversation byte-identically to Python's
    Jinja2 rendering the GGUF's tokenizer.chat_template as Hugging Face's apply_chat_template
    does, one ending in the assistant's text as llama-server continues it; a chat completion reads exactly that prompt
    (continuing the assistant's text, answering only what follows it), and its next turn reads only new tokens;
  * --chat-template-file overrides the file's template; a bad one is an error naming the
    file and the line; a chat whose next rendering does not extend the last is read again
    from where the two part, answering as the conversation read whole;
  * an artifact carries the template: `lmc run x.lmc --chat` answers as the GGUF does;
  * weights without a template (the Gemma 3 GGUF) fall back to the known family, said once.

  test_chat_template.py --lmc BUILD/tools/lmc [unittest options]
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "jinja"))
import serve_harness as serve  # noqa: E402
from serve_harness import Server  # noqa: E402
from test_jinja_differential import jinja2_render  # noqa: E402

GEMMA_GGUF = os.path.join(serve.ROOT, "models", "weights", "gemma-3-270m-q4_k_m.gguf")
FALLBACK_NOTE = "carries no chat template"
QUESTION = "Which city is the capital of France?"
CONVERSATIONS = [
    [{"role": "user", "content": QUESTION}],
    [{"role": "system", "content": "You answer in one sentence."}, {"role": "user", "content": "Hi!"}],
    [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello! How can I help?"},
     {"role": "user", "content": "Write {{ braces }}, 'quotes' and \"more\"\n  over two lines: é ✓"}],
    [{"role": "system", "content": "  Be brief.  "}, {"role": "user", "content": "1"},
     {"role": "assistant", "content": "2"}, {"role": "user", "content": "3"},
     {"role": "assistant", "content": "4"}, {"role": "user", "content": ""}],
]


def gguf_chat_context(path):
    """The GGUF's chat template and its BOS and EOS tokens' text."""
    from gguf import GGUFReader
    fields = GGUFReader(path).fields

    def text(field, i=0):
        return bytes(field.parts[field.data[i]]).decode("utf-8")

    def token(key):
        tokens = fields["tokenizer.ggml.tokens"]
        return text(tokens, int(fields[key].parts[-1][0]))

    return text(fields["tokenizer.chat_template"]), token("tokenizer.ggml.bos_token_id"), \
        token("tokenizer.ggml.eos_token_id")


def hf_render(template, messages, bos, eos):
    return jinja2_render(template, {"messages": messages, "add_generation_prompt": True, "bos_token": bos,
                                    "eos_token": eos})


def lmc(*args, stdin=None):
    return subprocess.run([serve.LMC, *args], capture_output=True, text=True, input=stdin, timeout=600)


class FilesOwnTemplate(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.template, cls.bos, cls.eos = gguf_chat_context(serve.MODEL)
        cls.server = Server("--parallel", "2", "--ctx-size", "1024")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def post(self, path, body):
        status, data = self.server.request("POST", path, body)
        self.assertEqual(status, 200, data)
        return json.loads(data)

    def test_apply_template_equals_jinja2(self):
        for messages in CONVERSATIONS:
            with self.subTest(messages=messages):
                got = self.post("/apply-template", {"messages": messages})["prompt"]
                self.assertEqual(got, hf_render(self.template, messages, self.bos, self.eos))
        self.assertNotIn(FALLBACK_NOTE, "".join(self.server.err))
        status, data = self.server.request("GET", "/props")
        self.assertEqual(json.loads(data)["chat_template"], self.template)

    def test_apply_template_renders_any_last_turn_as_llama_server(self):
        # The assistant's text last is continued: the turns before it with the generation
        # prompt, then that text, left open. A tool result last is answered.
        opening = [{"role": "user", "content": QUESTION}]
        continued = opening + [{"role": "assistant", "content": "The capital is"}]
        got = self.post("/apply-template", {"messages": continued})["prompt"]
        self.assertEqual(got, hf_render(self.template, opening, self.bos, self.eos) + "The capital is")
        answered = continued + [{"role": "tool", "tool_call_id": "c1", "content": '{"city": "Paris"}'}]
        got = self.post("/apply-template", {"messages": answered})["prompt"]
        self.assertEqual(got, hf_render(self.template, answered, self.bos, self.eos))

    def test_a_chat_completion_continues_the_assistants_text(self):
        # As llama-server's prefill: the prompt /apply-template shows, the answer only the text
        # the model goes on with, as a completion of that prompt writes it (greedy).
        continued = [{"role": "user", "content": QUESTION}, {"role": "assistant", "content": "The capital is"}]
        prompt = self.post("/apply-template", {"messages": continued})["prompt"]
        chat = self.post("/v1/chat/completions", {"messages": continued, "max_tokens": 8, "temperature": 0})
        completion = self.post("/v1/completions", {"prompt": prompt, "max_tokens": 8, "temperature": 0})
        self.assertEqual(chat["choices"][0]["message"]["content"], completion["choices"][0]["text"])
        self.assertEqual(chat["usage"]["prompt_tokens"], len(self.post("/tokenize", {"content": prompt})["tokens"]))
        self.assertFalse(chat["choices"][0]["message"]["content"].startswith("The capital is"), chat)

    def test_bad_apply_template_requests_are_400_json(self):
        table = [({"messages": []}, None, "'messages' must be a non-empty array"),
                 ({"messages": [{"role": "wizard", "content": "a"}]}, None, "role"),
                 (None, "{not json", "not valid JSON")]
        for body, raw, words in table:
            with self.subTest(body=body, raw=raw):
                status, data = self.server.request("POST", "/apply-template", body, raw=raw)
                self.assertEqual(status, 400, data)
                self.assertIn(words, json.loads(data)["error"]["message"])

    def test_a_chat_reads_the_rendered_prompt_and_its_next_turn_only_new_tokens(self):
        client = self.server.client()
        messages = [{"role": "user", "content": QUESTION}]
        first = client.chat.completions.create(model="any", messages=messages, max_tokens=24, temperature=0)
        answer = first.choices[0].message.content
        self.assertTrue(answer.strip(), first)
        prompt = self.post("/apply-template", {"messages": messages})["prompt"]
        self.assertEqual(first.usage.prompt_tokens, len(self.post("/tokenize", {"content": prompt})["tokens"]))
        # As `lmc run --chat` answers the same question (greedy): the same rendering.
        run = lmc("run", serve.MODEL, "--chat", "-p", QUESTION, "-n", "24")
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout.strip(), answer.strip())
        messages += [{"role": "assistant", "content": answer}, {"role": "user", "content": "And of Germany?"}]
        second = client.chat.completions.create(model="any", messages=messages, max_tokens=8, temperature=0)
        self.assertGreaterEqual(second.usage.prompt_tokens_details.cached_tokens, first.usage.prompt_tokens)


class TemplateFile(unittest.TestCase):
    def test_the_file_overrides_the_models_template(self):
        source = ("{% if messages[0]['content'] == 'boom' %}{{ raise_exception('no boom here') }}{% endif %}"
                  "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] | trim }}<|im_end|>\n"
                  "{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "plain.jinja")
            with open(path, "w") as f:
                f.write(source)
            server = Server("--parallel", "1", "--ctx-size", "256", "--chat-template-file", path)
            try:
                for messages in CONVERSATIONS:
                    status, data = server.request("POST", "/apply-template", {"messages": messages})
                    self.assertEqual(status, 200, data)
                    self.assertEqual(json.loads(data)["prompt"], jinja2_render(source, {
                        "messages": messages, "add_generation_prompt": True}))
                # What the template refuses is the client's error, a 400 with the template's words.
                for endpoint in ("/apply-template", "/v1/chat/completions"):
                    status, data = server.request("POST", endpoint, {"messages": [{"role": "user", "content": "boom"}]})
                    self.assertEqual(status, 400, data)
                    self.assertIn("no boom here", json.loads(data)["error"]["message"])
                answer = server.client().chat.completions.create(
                    model="any", messages=CONVERSATIONS[0], max_tokens=8, temperature=0)
                self.assertTrue(answer.choices[0].message.content)
            finally:
                server.stop()

    def test_a_bad_template_names_the_file_and_line(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "bad.jinja")
            with open(path, "w") as f:
                f.write("{% for m in messages %}\n{{ m['content'] }\n{% endfor %}")
            r = lmc("run", serve.MODEL, "--chat", "-p", "Hi", "-n", "2", "--chat-template-file", path)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(path + ":2: error:", r.stderr)
            self.assertEqual(r.stdout, "")
            missing = os.path.join(d, "missing.jinja")
            r = lmc("chat", serve.MODEL, "--chat-template-file", missing)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertIn(missing, r.stderr)


    def test_a_rendering_that_does_not_extend_the_last_is_reread_from_where_they_part(self):
        # Only the last message rendered: the second turn's text parts from the first's after
        # "<|im_start|>user\n", so the cache is kept up to there and the rest read again.
        source = ("<|im_start|>user\n{{ messages[-1]['content'] }}<|im_end|>\n"
                  "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "last.jinja")
            with open(path, "w") as f:
                f.write(source)
            flags = ["--chat-template-file", path, "--max-tokens", "12"]
            chat = lmc("chat", serve.MODEL, *flags, stdin=QUESTION + "\nName a colour.\n")
            alone = lmc("run", serve.MODEL, "--chat", "-p", "Name a colour.", *flags)
        self.assertEqual(chat.returncode, 0, chat.stderr)
        self.assertEqual(alone.returncode, 0, alone.stderr)
        self.assertEqual(chat.stdout.split("\n")[1], alone.stdout.strip())
        self.assertIn("chatting in the chat template " + path + ", the template's own system message", chat.stderr)
        read = [int(n) for n in re.findall(r"prompt (\d+) tokens", chat.stderr)]
        whole = int(re.search(r"prompt (\d+) tokens", alone.stderr).group(1))
        self.assertEqual(len(read), 2, chat.stderr)
        self.assertLess(read[1], whole)


class BuiltInNames(unittest.TestCase):
    def test_chat_template_name_renders_llama_cpps_built_in_format(self):
        server = Server("--parallel", "1", "--ctx-size", "256", "--chat-template", "llama3")
        try:
            status, data = server.request("POST", "/apply-template", {"messages": CONVERSATIONS[0]})
            self.assertEqual(status, 200, data)
            prompt = json.loads(data)["prompt"]
            self.assertIn("<|start_header_id|>user<|end_header_id|>\n\n", prompt)
            self.assertTrue(prompt.endswith("<|start_header_id|>assistant<|end_header_id|>\n\n"), prompt)
            self.assertNotIn("<|im_start|>", prompt)  # not SmolLM2's own template
        finally:
            server.stop()
        r = lmc("run", serve.MODEL, "--chat", "-p", "Hi", "-n", "2", "--chat-template", "chatmll")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--chat-template: unknown format 'chatmll' (chatml, llama3, gemma, phi3", r.stderr)
        r = lmc("run", serve.MODEL, "--chat", "-p", "Hi", "-n", "2", "--chat-template", "gemma",
                "--chat-template-file", "x.jinja")
        self.assertEqual(r.returncode, 2, r.stderr)


class Artifact(unittest.TestCase):
    def test_run_chat_on_an_artifact_renders_the_carried_template(self):
        with tempfile.TemporaryDirectory() as d:
            artifact = os.path.join(d, "smollm2.lmc")
            r = lmc("compile", serve.MODEL, "-o", artifact)
            self.assertEqual(r.returncode, 0, r.stderr)
            from_artifact = lmc("run", artifact, "--chat", "-p", QUESTION, "-n", "16")
        self.assertEqual(from_artifact.returncode, 0, from_artifact.stderr)
        self.assertNotIn(FALLBACK_NOTE, from_artifact.stderr)
        from_gguf = lmc("run", serve.MODEL, "--chat", "-p", QUESTION, "-n", "16")
        self.assertEqual(from_artifact.stdout, from_gguf.stdout)


@unittest.skipUnless(os.path.exists(GEMMA_GGUF), "Gemma 3 weights are absent")
class Fallback(unittest.TestCase):
    def test_weights_without_a_template_fall_back_and_say_so_once(self):
        r = lmc("chat", GEMMA_GGUF, "--max-tokens", "2", "--threads", "2", stdin="Hi\nAnd again\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr.count(FALLBACK_NOTE), 1, r.stderr)
        self.assertIn("falling back to the gemma format", r.stderr)


if __name__ == "__main__":
    sys.exit(serve.main())
