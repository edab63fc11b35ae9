#!/usr/bin/env python3
"""lmc serve --embeddings --mmproj on test_run_image.py's generated Gemma-3-shaped pair (F32,
--passes=none, as test_serve_image.py's servers): /embeddings and /v1/embeddings take images as
llama-server's, in a prompt object {"prompt_string", "multimodal_data"} or OpenAI content parts
{"content": [text and image_url parts]}. An input's vector must be the numpy reference's mean of
the final norm's rows over the tokens lmc run --image feeds the model (its --verbose-prompt), the
image's rows the reference tower's embeddings, attending to each other; the same input twice is the
same vector, another image another one, and both forms give one vector. A corrupt image, and an
image past a step, are 400s; without --mmproj multimodal_data is llama-server's 400 and an
image_url part its 500.

  test_serve_image_embeddings.py --lmc BUILD/tools/lmc [unittest options]
"""
import base64
import re
import subprocess
import sys
import unittest

import numpy as np

import make_mmproj
import test_run_image
import test_serve_image
from test_run_image import VOCAB, reference_forward, vision_reference
from test_serve_image import FLAGS, Served

LMC = None
TEXT = "Look: <__media__> what is it?"
# lmc's F32 kernels beside numpy's: a unit vector's elements agree to this (each is ~0.1).
TOLERANCE = 1e-4


def unit_mean(rows):
    v = rows.astype(np.float64).mean(axis=0)
    return v / np.linalg.norm(v)


class ServeImageEmbeddings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        rgbs = test_run_image.model_pair_for(cls)
        model, mmproj, pngs = cls.pair
        cls.b64 = [test_serve_image.base64_of(p) for p in pngs]
        hp, w = vision_reference.read_mmproj(mmproj)
        cls.image_rows = [vision_reference.encode(hp, w, rgb) for rgb in rgbs]
        cls.pm = reference_forward.load_model(model).prepared(None, "f32")
        cls.server = Served(cls.pair, "--embeddings")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.dir.cleanup()

    def embed(self, path, body, server=None):
        status, answer = (server or self.server).ask(path, body)
        self.assertEqual(status, 200, answer)
        vectors = [d["embedding"] for d in (answer["data"] if path == "/v1/embeddings" else answer)]
        return [np.array(v if path == "/v1/embeddings" else v[0]) for v in vectors]

    def run_tokens(self, image):
        """The prompt tokens lmc run --image feeds the text model for TEXT (its --verbose-prompt)."""
        model, mmproj, pngs = self.pair
        r = subprocess.run([LMC, "run", model, "--mmproj", mmproj, "--image", pngs[image], "-p", TEXT, "-no-cnv",
                            "-n", "1", "--verbose-prompt", *FLAGS], capture_output=True, text=True, errors="replace",
                           timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        return [int(m) for m in re.findall(r"^ *(\d+) -> '", r.stderr, re.M)]

    def reference(self, image, joint=True):
        tokens = self.run_tokens(image)
        at = tokens.index(VOCAB - 2) + 1  # after <start_of_image>
        rows = self.image_rows[image]
        self.assertEqual(tokens[at + len(rows)], VOCAB - 1)  # <end_of_image> after the soft tokens
        session = reference_forward.Session(self.pm)
        return unit_mean(session.hidden(tokens, images=[(at, rows)], joint=joint))

    def prompt(self, image):
        return {"prompt_string": TEXT, "multimodal_data": [self.b64[image]]}

    def test_vectors_are_the_references(self):
        got = self.embed("/embeddings", {"content": [self.prompt(0), self.prompt(1), self.prompt(0),
                                                     {"prompt_string": TEXT}]})
        np.testing.assert_array_equal(got[0], got[2])  # the same input, the same vector
        for image in (0, 1):
            want = self.reference(image)
            self.assertLess(np.abs(got[image] - want).max(), TOLERANCE, f"image {image}")
        # What the comparison tells apart: another image, the image's rows attending causally,
        # and the text alone (its marker read as text) each miss by far more than the tolerance.
        self.assertGreater(np.abs(got[0] - got[1]).max(), 100 * TOLERANCE)
        self.assertGreater(np.abs(got[0] - self.reference(0, joint=False)).max(), 10 * TOLERANCE)
        self.assertGreater(np.abs(got[0] - got[3]).max(), 100 * TOLERANCE)

    def test_content_parts_give_the_prompt_objects_vector(self):
        before, after = TEXT.split("<__media__>")
        content = {"content": [{"type": "text", "text": before}, test_serve_image.image_part(
            "data:image/png;base64," + self.b64[1]), {"type": "text", "text": after}]}
        got = self.embed("/v1/embeddings", {"input": [content, self.prompt(1), self.prompt(0)]})
        np.testing.assert_array_equal(got[0], got[1])
        self.assertGreater(np.abs(got[0] - got[2]).max(), 100 * TOLERANCE)
        status, answer = self.server.ask("/v1/embeddings", {"input": content})  # one input, not a list
        self.assertEqual(status, 200, answer)
        np.testing.assert_array_equal(np.array(answer["data"][0]["embedding"]), got[0])

    def refused(self, body, status, server=None):
        got, answer = (server or self.server).ask("/v1/embeddings", body)
        self.assertEqual(got, status, answer)
        self.assertIn("message", answer["error"])
        return answer["error"]

    def test_corrupt_images_are_refused(self):
        corrupt = base64.b64encode(b"\x89PNG\r\n\x1a\nnot really").decode()
        error = self.refused({"input": ["text", {"prompt_string": TEXT, "multimodal_data": [corrupt]}]}, 400)
        self.assertIn("failed to load image", error["message"])
        self.assertEqual(error["param"], "input[1].multimodal_data")
        error = self.refused({"input": {"content": [test_serve_image.image_part("data:image/png;base64," + corrupt)]}},
                             400)
        self.assertIn("failed to load image", error["message"])
        self.assertEqual(error["param"], "input.content")
        error = self.refused({"input": {"prompt_string": "no marker", "multimodal_data": [self.b64[0]]}}, 400)
        self.assertIn("markers", error["message"])

    def test_an_image_past_a_step_is_refused(self):
        # Gemma 3's 16 image tokens attend to each other: a step of 8 rows cannot read them.
        server = Served(self.pair, "--embeddings", "--model-def",
                        make_mmproj.definition_with_step(self.dir.name, "gemma3", 8))
        try:
            error = self.refused({"input": [self.prompt(0)]}, 400, server)
            self.assertIn("an image of 16 tokens does not fit a step of 8 rows", error["message"])
            self.assertEqual(error["param"], "input[0].multimodal_data")
        finally:
            server.stop()

    def test_no_mmproj_answers_as_llama_server(self):
        server = Served(self.pair, "--embeddings", "--no-mmproj")
        try:
            error = self.refused({"input": [self.prompt(0)]}, 400, server)
            self.assertEqual(error["message"], "Multimodal data provided, but model does not support multimodal requests.")
            self.assertEqual(error["param"], "input[0].multimodal_data")
            part = test_serve_image.image_part("data:image/png;base64," + self.b64[0])
            error = self.refused({"input": {"content": [part]}}, 500, server)
            self.assertIn("image input is not supported", error["message"])
            self.assertEqual(len(self.embed("/v1/embeddings", {"input": "text alone"}, server)[0]), test_run_image.WIDTH)
        finally:
            server.stop()


if __name__ == "__main__":
    test_serve_image.main(sys.modules[__name__])
