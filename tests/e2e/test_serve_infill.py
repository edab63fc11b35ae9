#!/usr/bin/env python3
"""lmc serve's /infill (llama-server's fill-in-the-middle): on a copy of SmolLM2's GGUF whose
three unused special tokens are renamed StarCoder's <fim_prefix>, <fim_suffix> and
<fim_middle>, an /infill answers what /completion answers for the token ids llama-server lays
out ([REPO "project\\n" (SEP name "\\n" text)... SEP] PRE prefix prompt SUF suffix MID), streamed
too; the FIM spellings written in the text stay text; a bad field is a 400; and on the real
SmolLM2 file, which has no FIM tokens, /infill is a 501 naming why.

  test_serve_infill.py --lmc build/tools/lmc
"""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as serve  # noqa: E402
from serve_harness import Server  # noqa: E402

FIM = {11: "<fim_prefix>", 12: "<fim_suffix>", 13: "<fim_middle>"}  # were <jupyter_start|text|code>
REPO, SEP = 4, 5  # SmolLM2's own <reponame> and <file_sep>


def fim_copy(path):
    """SmolLM2's GGUF with FIM's names on three of its special tokens."""
    import gguf
    from gguf.scripts.gguf_new_metadata import MetadataDetails, copy_with_new_metadata
    reader = gguf.GGUFReader(serve.MODEL)
    tokens = reader.fields["tokenizer.ggml.tokens"].contents()
    for i, name in FIM.items():
        tokens[i] = name
    writer = gguf.GGUFWriter(path, arch=reader.fields["general.architecture"].contents())
    new = {"tokenizer.ggml.tokens": MetadataDetails(gguf.GGUFValueType.ARRAY, tokens,
                                                    sub_type=gguf.GGUFValueType.STRING)}
    copy_with_new_metadata(reader, writer, new, [])


class Infill(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.work = tempfile.TemporaryDirectory()
        path = os.path.join(cls.work.name, "smollm2-fim.gguf")
        fim_copy(path)
        serve_model = serve.MODEL
        serve.MODEL = path
        try:
            cls.server = Server("-np", "1")
        finally:
            serve.MODEL = serve_model

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.work.cleanup()

    def post(self, path, body):
        status, data = self.server.request("POST", path, body)
        return status, json.loads(data)

    def tokens(self, text):
        status, data = self.post("/tokenize", {"content": text})
        self.assertEqual(status, 200, data)
        return data["tokens"]

    def test_infill_is_the_completion_of_its_layout(self):
        prefix, suffix, prompt = "def add(a, b):\n    return ", "\n\nprint(add(1, 2))\n", "a"
        extra = [{"filename": "util.py", "text": "def mul(a, b):\n    return a * b\n"}]
        layout = ([REPO] + self.tokens("project\n") + [SEP] + self.tokens("util.py\n" + extra[0]["text"]) + [SEP] +
                  [11] + self.tokens(prefix) + self.tokens(prompt) + [12] + self.tokens(suffix) + [13])
        sampling = {"n_predict": 12, "temperature": 0}
        status, infill = self.post("/infill", {"input_prefix": prefix, "input_suffix": suffix, "prompt": prompt,
                                               "input_extra": extra, **sampling})
        self.assertEqual(status, 200, infill)
        status, whole = self.post("/completion", {"prompt": layout, **sampling})
        self.assertEqual(status, 200, whole)
        self.assertEqual(infill["content"], whole["content"])
        self.assertEqual(infill["tokens_evaluated"], len(layout))
        # Streamed: the same text in pieces.
        status, data = self.server.request("POST", "/infill", {"input_prefix": prefix, "input_suffix": suffix,
                                                              "prompt": prompt, "input_extra": extra,
                                                              "stream": True, **sampling})
        self.assertEqual(status, 200)
        events = [json.loads(line[6:]) for line in data.decode().splitlines() if line.startswith("data: {")]
        self.assertEqual("".join(e["content"] for e in events), infill["content"])

    def test_fim_spellings_in_the_text_stay_text(self):
        status, infill = self.post("/infill", {"input_prefix": "x = '<fim_middle>'", "input_suffix": "",
                                               "n_predict": 1, "temperature": 0})
        self.assertEqual(status, 200, infill)
        # /tokenize reads the spelling as the one FIM token, as llama-server's does; /infill as text.
        self.assertIn(13, self.tokens("x = '<fim_middle>'"))
        self.assertGreater(infill["tokens_evaluated"], 3 + len(self.tokens("x = '<fim_middle>'")))

    def test_a_bad_field_is_a_400_naming_it(self):
        for body, param in (({"input_prefix": 3}, "input_prefix"), ({"input_extra": {"a": 1}}, "input_extra"),
                            ({"input_extra": [{"filename": 1, "text": ""}]}, "filename"),
                            # llama-server's /infill prompt is text: a prompt object with an image is refused.
                            ({"prompt": {"prompt_string": "<__media__>", "multimodal_data": ["AAAA"]}}, "prompt")):
            status, data = self.post("/infill", body)
            self.assertEqual(status, 400, data)
            self.assertEqual(data["error"]["param"], param)


class NoFimTokens(unittest.TestCase):
    def test_a_model_without_fim_tokens_is_501(self):
        server = Server("-np", "1")
        try:
            status, data = server.request("POST", "/infill", {"input_prefix": "a", "input_suffix": "b"})
            self.assertEqual(status, 501, data)
            self.assertIn("no fill-in-the-middle tokens", json.loads(data)["error"]["message"])
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(serve.main())
