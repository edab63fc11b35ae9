#!/usr/bin/env python3
"""lmc serve --mmproj against lmc run --image, on test_run_image.py's generated pair (a small
Gemma-3-shaped text GGUF and an mmproj giving 16 image tokens), both with --passes=none and
Gemma's template. The greedy answer to a chat with OpenAI image_url parts (base64 data URIs)
must be lmc run's to the same prompt: an image before the text, one at a <__media__> marker
among text parts, two images; and an Anthropic /v1/messages image block too. Prompts that share
their text but not their image must not share KV rows: a slot's cache (one slot) and -kvu's
prefix tree (two slots, a prompt past a page) must not hand the first image's rows to the
second. Four requests at once on two slots answer as each alone, and a photo past 1 MiB of
base64 is taken. /props says vision. Bad images are 400s with a JSON error (a corrupt PNG, a GIF, a PNG
whose header claims 65535 x 65535 pixels, bad base64, an http URL, more image tokens than the
context); a server started with --no-mmproj answers llama-server's 500, and its /props says no
vision.

  test_serve_image.py --lmc BUILD/tools/lmc [unittest options]
"""
import argparse
import base64
import concurrent.futures
import http.client
import json
import os
import struct
import subprocess
import sys
import unittest
import zlib

import numpy as np

import serve_harness
import test_run_image
from test_encode_image import png_bytes

LMC = None
TOKENS = 8
FLAGS = ("--passes=none", "--chat-template", "gemma", "--threads", "2")
# A prompt past a KV page (64 rows) whose first page holds the image (rows 31 to 48).
BEFORE, AFTER = "Look at this: ", "What is it? Answer in a few words, please, and be brief."


def run_answer(pair, text, images, ignore_eos=True):
    """lmc run's greedy answer to one chat turn with `images` (indices into the pair's PNGs)."""
    model, mmproj, pngs = pair
    args = [a for i in images for a in ("--image", pngs[i])] + (["--ignore-eos"] if ignore_eos else [])
    r = subprocess.run([LMC, "run", model, "--mmproj", mmproj, *args, "-p", text, "--single-turn", "-n", str(TOKENS),
                        "--temp", "0", *FLAGS], capture_output=True, text=True, errors="replace", timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout.rstrip("\n")


def base64_of(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()


def data_uri(path, media="image/png"):
    return f"data:{media};base64," + base64_of(path)


def image_part(url):
    return {"type": "image_url", "image_url": {"url": url}}


def png_claiming(width, height):
    """A PNG whose header claims width x height pixels, with one byte of image data."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(b"\x00")) + chunk(b"IEND", b""))


class Served:
    """An lmc serve of the pair on a free port."""

    def __init__(self, pair, *flags):
        model, mmproj, _ = pair
        self.proc, self.port, self.err = serve_harness.started(
            [LMC, "serve", model, "--mmproj", mmproj, "--port", "0", *FLAGS, *flags])

    @classmethod
    def router(cls, folder, *flags):
        """lmc serve's router over `folder` (--models-dir), its models' servers started with FLAGS."""
        served = cls.__new__(cls)
        served.proc, served.port, served.err = serve_harness.started(
            [LMC, "serve", "--models-dir", folder, "--port", "0", *FLAGS, *flags])
        return served

    def ask(self, path, body=None):
        """POST `body` to `path`, or GET it without one: the status and the JSON answer."""
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        c.request("POST" if body is not None else "GET", path, json.dumps(body) if body is not None else None,
                  {"Content-Type": "application/json"})
        r = c.getresponse()
        status, data = r.status, json.loads(r.read())
        c.close()
        return status, data

    def chat(self, content):
        status, body = self.ask("/v1/chat/completions",
                                {"messages": [{"role": "user", "content": content}], "max_tokens": TOKENS,
                                 "temperature": 0, "ignore_eos": True})
        assert status == 200, body
        return body["choices"][0]["message"]["content"]

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=60)


class ServeImage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        test_run_image.model_pair_for(cls)
        cls.uris = [data_uri(p) for p in cls.pair[2]]
        cls.server = Served(cls.pair, "-np", "1", "--ctx-size", "160")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.dir.cleanup()

    def test_image_before_the_text(self):
        want = run_answer(self.pair, "What is in this picture?", [0])
        self.assertEqual(self.server.chat([image_part(self.uris[0]), {"type": "text", "text": "What is in this picture?"}]),
                         want)

    def test_image_among_text_parts(self):
        want = run_answer(self.pair, "Look: <__media__> and say what it shows.", [1])
        got = self.server.chat([{"type": "text", "text": "Look: "}, image_part(self.uris[1]),
                                {"type": "text", "text": " and say what it shows."}])
        self.assertEqual(got, want)

    def test_two_images(self):
        want = run_answer(self.pair, "First <__media__> then <__media__>, compare them.", [0, 1])
        got = self.server.chat([{"type": "text", "text": "First "}, image_part(self.uris[0]),
                                {"type": "text", "text": " then "}, image_part(self.uris[1]),
                                {"type": "text", "text": ", compare them."}])
        self.assertEqual(got, want)

    def test_anthropic_image_block(self):
        want = run_answer(self.pair, "Describe it.", [1], ignore_eos=False)  # Anthropic's has no ignore_eos
        data = self.uris[1].split(",", 1)[1]
        request = {"max_tokens": TOKENS, "temperature": 0, "messages": [{"role": "user", "content": [
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": data}},
            {"type": "text", "text": "Describe it."}]}]}
        status, body = self.server.ask("/v1/messages", request)
        self.assertEqual(status, 200, body)
        self.assertEqual(body["content"][0]["text"], want)
        # count_tokens counts the image's tokens, as the answer's usage does.
        del request["max_tokens"], request["temperature"]
        status, count = self.server.ask("/v1/messages/count_tokens", request)
        self.assertEqual(status, 200, count)
        self.assertEqual(count["input_tokens"], body["usage"]["input_tokens"])
        self.assertGreater(count["input_tokens"], 16)

    def test_same_text_other_image_shares_no_rows(self):
        # One slot: the second prompt finds the first's tokens in the slot's cache, the image's
        # placeholders included; its answer must still be its own image's.
        first, second = (run_answer(self.pair, "What is it?", [i]) for i in (0, 1))
        self.assertNotEqual(first, second)  # else the check below could not tell
        for i, want in ((0, first), (1, second)):
            self.assertEqual(self.server.chat([image_part(self.uris[i]), {"type": "text", "text": "What is it?"}]),
                             want)

    def test_prefix_tree_shares_no_image_rows(self):
        # Two slots on -kvu's pages: the first prompt's whole pages (past its image) would go to
        # the prefix tree, and the second, on the other slot, would share them.
        server = Served(self.pair, "-np", "2", "-kvu", "--ctx-size", "1024")
        try:
            wants = [run_answer(self.pair, BEFORE + "<__media__>" + AFTER, [i]) for i in (0, 1)]
            self.assertNotEqual(wants[0], wants[1])
            for i in (0, 1):
                parts = [{"type": "text", "text": BEFORE}, image_part(self.uris[i]), {"type": "text", "text": AFTER}]
                self.assertEqual(server.chat(parts), wants[i])
        finally:
            server.stop()

    def test_requests_at_once(self):
        # Images encoded on the requests' threads while the other slot's request steps.
        server = Served(self.pair, "-np", "2")
        try:
            wants = [run_answer(self.pair, "What is it?", [i]) for i in (0, 1)]
            with concurrent.futures.ThreadPoolExecutor(4) as pool:
                answers = pool.map(lambda i: server.chat([image_part(self.uris[i % 2]),
                                                          {"type": "text", "text": "What is it?"}]), range(4))
                self.assertEqual(list(answers), [wants[i % 2] for i in range(4)])
        finally:
            server.stop()

    def test_props_say_vision(self):
        status, props = self.server.ask("/props")
        self.assertEqual(status, 200)
        self.assertEqual(props["modalities"], {"vision": True, "audio": False})

    def refused(self, content, status=400):
        got, body = self.server.ask("/v1/chat/completions",
                                     {"messages": [{"role": "user", "content": content}], "max_tokens": 1})
        self.assertEqual(got, status, body)
        self.assertIn("message", body["error"])
        return body["error"]["message"]

    def test_bad_images_are_refused(self):
        text = {"type": "text", "text": "What is it?"}
        cases = {
            "corrupt": ("data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\nnot really").decode(),
                        "failed to load image"),
            "gif": ("data:image/gif;base64," + base64.b64encode(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").decode(),
                    "GIF"),
            "bomb": ("data:image/png;base64," + base64.b64encode(png_claiming(65535, 65535)).decode(), "65535"),
            "base64": ("data:image/png;base64,@@@@", "base64"),
            "http": ("https://example.com/cat.png", "http(s) URL"),
            "not a data uri": ("cat.png", "data URI"),
        }
        for name, (url, says) in cases.items():
            with self.subTest(name):
                self.assertIn(says, self.refused([image_part(url), text]))
        # The server still answers.
        self.assertTrue(self.server.chat([image_part(self.uris[0]), text]) is not None)

    def test_a_photo_past_a_mebibyte(self):
        # A 700 x 700 PNG of noise, about 2 MB as base64: past the 1 MiB body of a text server.
        rgb = np.random.default_rng(3).integers(0, 256, (700, 700, 3)).astype(np.uint8)
        uri = "data:image/png;base64," + base64.b64encode(png_bytes(rgb)).decode()
        self.assertGreater(len(uri), 1 << 20)
        self.assertIsNotNone(self.server.chat([image_part(uri), {"type": "text", "text": "What is it?"}]))

    def test_more_image_tokens_than_the_context(self):
        parts = [image_part(self.uris[0])] * 9 + [{"type": "text", "text": "All of them?"}]
        self.assertIn("exceeds the available context size", self.refused(parts))


    def test_no_mmproj_refuses_images(self):
        server = Served(self.pair, "--no-mmproj")
        try:
            _, props = server.ask("/props")
            self.assertEqual(props["modalities"]["vision"], False)
            status, body = server.ask("/v1/chat/completions", {"messages": [{"role": "user", "content": [
                image_part(self.uris[0]), {"type": "text", "text": "hi"}]}], "max_tokens": 1})
            self.assertEqual(status, 500, body)
            self.assertIn("image input is not supported", body["error"]["message"])
        finally:
            server.stop()


def main(module):
    """Runs the tests of `module` (a test file run as __main__), its LMC and these helpers' the
    --lmc argument."""
    global LMC
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    args, rest = ap.parse_known_args()
    LMC = module.LMC = serve_harness.LMC = test_run_image.LMC = os.path.abspath(args.lmc)
    unittest.main(module=module, argv=[sys.argv[0]] + rest)


if __name__ == "__main__":
    main(sys.modules[__name__])
