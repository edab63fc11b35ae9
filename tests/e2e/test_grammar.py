#!/usr/bin/env python3
"""GBNF grammars on the real SmolLM2 135M: what `lmc run`, `lmc chat` and `lmc serve` generate
under a grammar matches it, judged by Python's `re` (the grammars here are regular) and `json`
(for examples/grammars/json.gbnf), which share nothing with lmc's matcher.

  test_grammar.py --lmc build/tools/lmc

Exit 77 when the weights are absent.
  * lmc run --grammar / --grammar-file, lmc chat --grammar: the text matches;
  * lmc run -j: the text is JSON of the schema; a bad grammar names the flag, line and column;
  * lmc serve: `grammar` on /completion, /v1/completions and /v1/chat/completions (streamed
    too) matches; --grammar is the default of a request without a format; bad grammars and
    grammars beside response_format, json_schema or tools are a 400 naming `grammar`.
"""
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GRAMMARS = os.path.join(ROOT, "examples", "grammars")

ITEMS = 'root ::= ("- " [a-zA-Z ]{1,20} "\\n"){3}'
ITEMS_RE = re.compile(r"(- [a-zA-Z ]{1,20}\n){3}")
YES_NO = 'root ::= "Answer: " ("yes" | "no") "."'
YES_NO_RE = re.compile(r"Answer: (yes|no)\.")
DIGITS = "root ::= [0-9]{2,4} (\" \" [0-9]{2,4})*"
DIGITS_RE = re.compile(r"[0-9]{2,4}( [0-9]{2,4})*")


def lmc(*args, stdin=None):
    return subprocess.run([serve_harness.LMC, *args], input=stdin, capture_output=True, text=True, timeout=300)


class RunAndChat(unittest.TestCase):
    def run_text(self, *args):
        r = lmc("run", serve_harness.MODEL, "--threads", "2", "--no-display-prompt", *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout[:-1]  # lmc run ends the text with a newline

    def test_run_grammar_text_matches(self):
        for prompt in ["Three fruits:", "List of colors", "Animals I like"]:
            with self.subTest(prompt=prompt):
                self.assertRegex(self.run_text("-p", prompt, "--grammar", ITEMS, "-n", "100"), f"^{ITEMS_RE.pattern}$")

    def test_run_grammar_file_json_parses(self):
        for args in [("-p", "A JSON object with the name and color of a cat:"),
                     ("-st", "-p", "Give a JSON object for a cat with name and age.")]:
            text = self.run_text(*args, "--grammar-file", os.path.join(GRAMMARS, "json.gbnf"), "-n", "200")
            self.assertIsInstance(json.loads(text)["name"], str)

    def test_run_grammar_file_list(self):
        text = self.run_text("-p", "Shopping list:\n", "--grammar-file", os.path.join(GRAMMARS, "list.gbnf"), "-n", "30")
        self.assertRegex(text, r"^- [^\n]+(\n- [^\n]+)*\n?$")

    def test_run_sampling_keeps_to_the_grammar(self):
        for seed in ["1", "2", "3"]:
            text = self.run_text("-p", "Numbers:", "--grammar", DIGITS, "-n", "12", "--temp", "1.5", "--seed", seed)
            self.assertRegex(text, f"^{DIGITS_RE.pattern}$")

    def test_run_json_schema(self):
        schema = {"type": "object", "properties": {"name": {"type": "string", "maxLength": 20}}, "required": ["name"]}
        text = self.run_text("-p", "A person as JSON:", "-j", json.dumps(schema), "-n", "40")
        self.assertIsInstance(json.loads(text)["name"], str)

    def test_chat_answers_keep_to_the_grammar(self):
        r = lmc("chat", serve_harness.MODEL, "--threads", "2", "--grammar", YES_NO,
                stdin="Is the sky blue?\nIs water dry?\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        answers = r.stdout.strip("\n").split("\n")
        self.assertEqual(len(answers), 2, r.stdout)
        for a in answers:
            self.assertRegex(a, f"^{YES_NO_RE.pattern}$")

    def test_bad_grammars_name_the_flag_and_place(self):
        r = lmc("run", serve_harness.MODEL, "-p", "x", "--grammar", 'root ::= "a" item')
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--grammar:1:14: error: rule 'item' is not defined", r.stderr)
        r = lmc("run", serve_harness.MODEL, "-p", "x", "--grammar", "root ::= root \"a\"")
        self.assertIn("--grammar:1:1: error: rule 'root' is left-recursive", r.stderr)
        r = lmc("run", serve_harness.MODEL, "-p", "x", "--grammar", ITEMS, "-j", "{}")
        self.assertIn("not both", r.stderr)


class Serve(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = serve_harness.Server("--parallel", "2", "--ctx-size", "1024", "--grammar", DIGITS)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def post(self, path, body, status=200):
        got, data = self.server.request("POST", path, body)
        self.assertEqual(got, status, data)
        return json.loads(data)

    def test_llama_completion_grammar(self):
        for prompt in ["Three fruits:", "Things in a kitchen:"]:
            d = self.post("/completion", {"prompt": prompt, "n_predict": 100, "grammar": ITEMS})
            self.assertRegex(d["content"], f"^{ITEMS_RE.pattern}$")
            self.assertEqual(d["stop_type"] if "stop_type" in d else "eos", "eos")

    def test_openai_completion_grammar(self):
        d = self.post("/v1/completions", {"prompt": "Is the sky blue?", "max_tokens": 20, "grammar": YES_NO})
        self.assertRegex(d["choices"][0]["text"], f"^{YES_NO_RE.pattern}$")
        self.assertEqual(d["choices"][0]["finish_reason"], "stop")

    def test_chat_grammar_whole_and_streamed(self):
        messages = [{"role": "user", "content": "Name three animals."}]
        d = self.post("/v1/chat/completions", {"messages": messages, "max_tokens": 100, "grammar": ITEMS,
                                               "temperature": 0})
        whole = d["choices"][0]["message"]["content"]
        self.assertRegex(whole, f"^{ITEMS_RE.pattern}$")
        client = self.server.client()
        chunks = list(client.chat.completions.create(model="m", messages=messages, max_tokens=100, temperature=0,
                                                     stream=True, extra_body={"grammar": ITEMS}))
        self.assertEqual("".join(c.choices[0].delta.content or "" for c in chunks if c.choices), whole)

    def test_server_grammar_is_the_default(self):
        d = self.post("/completion", {"prompt": "Numbers:", "n_predict": 12, "temperature": 1.5, "seed": 4})
        self.assertRegex(d["content"], f"^{DIGITS_RE.pattern}$")
        # A request's own format replaces it.
        d = self.post("/completion", {"prompt": "Is it?", "n_predict": 20, "grammar": YES_NO})
        self.assertRegex(d["content"], f"^{YES_NO_RE.pattern}$")
        d = self.post("/completion", {"prompt": "A city as JSON:", "n_predict": 30,
                                      "json_schema": {"type": "object", "properties": {"c": {"type": "string"}},
                                                      "required": ["c"]}})
        self.assertIsInstance(json.loads(d["content"])["c"], str)

    def test_bad_grammars_are_400_naming_the_field(self):
        cases = [
            ("/completion", {"prompt": "x", "grammar": "root ::= [a-"}, "'grammar' at 1:10: the character class"),
            ("/completion", {"prompt": "x", "grammar": "x ::= \"a\""}, "no 'root' rule"),
            ("/completion", {"prompt": "x", "grammar": 7}, "'grammar' must be a string"),
            ("/completion", {"prompt": "x", "grammar": "root ::= \"a\"{0,100000}"}, "is more than 1000"),
            ("/completion", {"prompt": "x", "grammar": "root ::= a\na ::= a \"x\""},
             "'grammar' at 2:1: rule 'a' is left-recursive"),
            ("/completion", {"prompt": "x", "grammar": YES_NO, "json_schema": {"type": "object"}},
             "'grammar' cannot be combined with 'json_schema'"),
            ("/v1/completions", {"prompt": "x", "grammar": YES_NO, "response_format": {"type": "json_object"}},
             "'grammar' cannot be combined with 'response_format'"),
            ("/v1/chat/completions", {"messages": [{"role": "user", "content": "x"}], "grammar": YES_NO,
                                      "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}]},
             "'grammar' cannot be combined with 'tools'"),
        ]
        for path, body, words in cases:
            with self.subTest(body=json.dumps(body)[:80]):
                error = self.post(path, body, 400)["error"]
                self.assertIn(words, error["message"])
                self.assertEqual(error["param"], "grammar")


if __name__ == "__main__":
    sys.exit(serve_harness.main())
