#!/usr/bin/env python3
"""LLaVA-1.5's shape end to end, the second vision architecture (models/mlp-vision.yaml and its
name map, models/vision/vision_tensors.cpp): a small generated CLIP/LLaVA mmproj
(make_mmproj.py's projector "mlp": 32 px in 4 px patches, 64 patches and a class row, three
blocks of which the features take two, an MLP projector to the text width) and a small
generated llama-shaped text GGUF (four layers; a vocabulary of 1024 with LLaVA-1.5's chat
template), against the numpy references:

  * lmc encode-image's embeddings match vision_reference.py's within 1e-3 relative (max |d|
    over the largest |reference|), through the default pipeline and through none; an image
    that is not square is centered on LLaVA's gray; the class row's place matters (HF's order
    is ~0.4 away, so the check can fail);
  * lmc run --mmproj --image: logits of every prompt row and generated token within 1e-3 of
    reference_forward.py's with --passes=none, the image's rows attending causally (Gemma 3's
    attend to each other), and the greedy path the reference's argmax, for an image before
    the text, two at markers, and one in LLaVA's chat turn. Through the default pipeline (Q8_0
    linears, mirrored) within 1e-2 and a cosine of 0.9999 per row: an input that rounds to
    the other int8 neighbour moves a row by ~3e-3 (logits_checks.py says why);
  * refused with one error line: a tower of GELU (mlp-vision.yaml implements quick GELU), and
    Gemma 3's tower (images attending to each other) beside a text model without key_ends;
  * an image longer than a step (LLaVA's 576 tokens past llama's 512 rows; here 64 past 32)
    is cut across steps, its rows attending causally: lmc serve's answer to an image_url part
    equals lmc run's.

  test_run_llava.py --lmc BUILD/tools/lmc [unittest options]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import base64
import http.client

import numpy as np

import convert_to_gguf
import serve_harness
import make_mmproj
from checkpoint_tokenizers import llama_tokenizer
from checkpoint_weights import llama_like_tensors, write_safetensors
from test_encode_image import png_bytes

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import reference_forward  # noqa: E402
import vision_reference  # noqa: E402
from quant_mirror import Q8Plan  # noqa: E402

LMC = None
WIDTH = 64
SIDE = 32
TOWER = {"image_size": SIDE, "patch_size": 4, "embedding_length": 32, "feed_forward_length": 64,
         "block_count": 3, "attention.head_count": 4, "projection_dim": WIDTH}
IMAGE_TOKENS = (SIDE // 4) ** 2
VOCAB = 1024
TEXT = dict(model_type="llama", architectures=["LlamaForCausalLM"], hidden_size=WIDTH, num_hidden_layers=4,
            num_attention_heads=4, num_key_value_heads=2, head_dim=16, intermediate_size=128, rms_norm_eps=1e-5,
            rope_theta=10000.0, max_position_embeddings=2048, vocab_size=VOCAB, hidden_act="silu",
            attention_bias=False, mlp_bias=False, bos_token_id=1, eos_token_id=2, tie_word_embeddings=False,
            torch_dtype="bfloat16")
# LLaVA-1.5's conversation: "USER: <image>\n... ASSISTANT:", llama.cpp's vicuna layout.
CHAT_TEMPLATE = ("{% for m in messages %}{% if m['role'] == 'system' %}{{ m['content'] + '\\n' }}"
                 "{% elif m['role'] == 'user' %}{{ 'USER: ' + m['content'] + '\\n' }}"
                 "{% else %}{{ 'ASSISTANT: ' + m['content'] + '</s>\\n' }}{% endif %}{% endfor %}"
                 "{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}")
STEPS = 6
GRAY = (122, 116, 104)


def write_text_model(folder, gguf):
    os.makedirs(folder, exist_ok=True)
    write_safetensors(os.path.join(folder, "model.safetensors"), llama_like_tensors(TEXT), "BF16",
                      np.random.default_rng(11))
    tok, tok_config = llama_tokenizer(VOCAB)
    tok_config["chat_template"] = CHAT_TEMPLATE
    for name, value in (("config.json", TEXT), ("tokenizer.json", tok), ("tokenizer_config.json", tok_config)):
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            json.dump(value, f)
    convert_to_gguf.convert(folder, gguf, vectors_f32=True)


def picture(seed, height=SIDE):
    y, x = np.mgrid[0:height, 0:SIDE]
    noise = np.random.default_rng(seed).integers(0, 64, (height, SIDE, 3))
    return ((np.stack([x * seed, y * 4, (x + y) * 2], axis=-1) + noise) % 256).astype(np.uint8)


def lmc(*args):
    return subprocess.run([LMC, *args], capture_output=True, text=True, errors="replace", timeout=300)


class RunLlava(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        d = cls.dir.name
        cls.model = os.path.join(d, "text.gguf")
        write_text_model(os.path.join(d, "text"), cls.model)
        cls.mmproj = os.path.join(d, "mmproj.gguf")
        make_mmproj.write_mmproj(cls.mmproj, hparams=TOWER, projector="mlp")
        cls.hp, cls.w = vision_reference.read_mmproj(cls.mmproj)
        cls.pngs, cls.embeddings, cls.tower_embeddings = [], [], []
        for seed in (7, 8):
            rgb = picture(seed)
            cls.pngs.append(cls.png(f"image{seed}", rgb))
            cls.embeddings.append(vision_reference.encode(cls.hp, cls.w, rgb))
            cls.tower_embeddings.append(cls.encode(cls.pngs[-1]))
        model = reference_forward.load_model(cls.model)
        cls.pm = {"q8": model.prepared(Q8Plan(keep_source=True), "f16"), "f32": model.prepared(None, "f32")}

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    @classmethod
    def png(cls, name, rgb):
        path = os.path.join(cls.dir.name, name + ".png")
        with open(path, "wb") as f:
            f.write(png_bytes(rgb))
        return path

    @classmethod
    def encode(cls, png, *flags):
        out = os.path.join(cls.dir.name, "embeddings.npy")
        r = lmc("encode-image", "--mmproj", cls.mmproj, "--image", png, "-o", out, *flags)
        assert r.returncode == 0, r.stderr
        return np.load(out)

    def assert_close(self, got, want):
        self.assertEqual(got.shape, want.shape)
        rel = np.abs(got - want).max() / np.abs(want).max()
        self.assertLess(rel, 1e-3, f"max |d| / max |reference| = {rel:.3g}")

    def test_embeddings_match_the_reference(self):
        self.assertEqual(self.embeddings[0].shape, (IMAGE_TOKENS, WIDTH))
        self.assert_close(self.tower_embeddings[0], self.embeddings[0])
        self.assert_close(self.encode(self.pngs[1], "--passes=none"), self.embeddings[1])
        hf_order = vision_reference.encode_mlp(self.hp, self.w, picture(7), class_first=True)
        self.assertGreater(np.abs(hf_order - self.embeddings[0]).max() / np.abs(self.embeddings[0]).max(), 0.05)

    def test_a_wide_image_is_centered_on_gray(self):
        half = picture(9, SIDE // 2)
        square = np.empty((SIDE, SIDE, 3), np.uint8)
        square[:] = GRAY
        square[SIDE // 4:SIDE // 4 + SIDE // 2] = half
        self.assert_close(self.encode(self.png("wide", half)), vision_reference.encode(self.hp, self.w, square))

    def check_prompt(self, prompt, images, *flags):
        out = os.path.join(self.dir.name, "logits.npy")
        args = [a for i in images for a in ("--image", self.pngs[i])]
        r = lmc("run", "--threads", "2", self.model, "--mmproj", self.mmproj, *args, "-p", prompt, "-n", str(STEPS),
                "--temp", "0", "--ignore-eos", "--logits-out", out, "--verbose-prompt", *flags)
        self.assertEqual(r.returncode, 0, r.stderr)
        got = np.load(out)
        tokens = [int(m) for m in re.findall(r"^ *(\d+) -> '", r.stderr, re.M)]
        exact = "--passes=none" in flags
        # Each image's soft tokens are one run of the placeholder id 0, which no text gives.
        starts = [i for i, t in enumerate(tokens) if t == 0 and (i == 0 or tokens[i - 1] != 0)]
        self.assertEqual(len(starts), len(images))
        spans = [(at, (self.embeddings if exact else self.tower_embeddings)[i]) for at, i in zip(starts, images)]
        s = reference_forward.Session(self.pm["f32" if exact else "q8"])
        want = [s.step(tokens, images=spans, joint=False)]
        path = [int(np.argmax(got[len(tokens) - 1 + k])) for k in range(STEPS)]
        want.append(s.step(path[:STEPS - 1]))
        want = np.concatenate(want)
        if exact:
            self.assert_close(got, want)
        else:  # Q8_0 inputs: a value rounding to the other int8 neighbour moves a row ~3e-3
            self.assertEqual(got.shape, want.shape)
            self.assertLess(np.abs(got - want).max() / np.abs(want).max(), 1e-2)
            cos = (got * want).sum(axis=1) / np.linalg.norm(got, axis=1) / np.linalg.norm(want, axis=1)
            self.assertGreater(cos.min(), 0.9999)
        self.assertEqual(path, [int(t) for t in np.argmax(want[len(tokens) - 1:], axis=1)])
        return r

    def test_image_before_the_text(self):
        self.check_prompt("What is in this picture?", [0])

    def test_two_images_at_their_markers(self):
        self.check_prompt("First <__media__> then <__media__>, compare them.", [0, 1], "--passes=none")

    def test_image_in_llavas_chat_turn(self):
        r = self.check_prompt("What is it?", [1], "--single-turn")
        self.assertIn("lmc: prompt: 'USER: <__media__>What is it?\nASSISTANT:'", r.stderr)

    def test_serve_cuts_an_image_longer_than_a_step_as_run_does(self):
        definition = make_mmproj.definition_with_step(self.dir.name, "llama", 32)
        flags = ["--model-def", definition, "--mmproj", self.mmproj, "--passes=none", "--threads", "2"]
        r = lmc("run", self.model, *flags, "--image", self.pngs[0], "-p", "What is it?", "--single-turn", "-n",
                str(STEPS), "--temp", "0", "--ignore-eos")
        self.assertEqual(r.returncode, 0, r.stderr)
        proc, port, err = serve_harness.started([LMC, "serve", self.model, *flags, "--port", "0", "-np", "1"])
        try:
            with open(self.pngs[0], "rb") as f:
                uri = "data:image/png;base64," + base64.b64encode(f.read()).decode()
            content = [{"type": "image_url", "image_url": {"url": uri}}, {"type": "text", "text": "What is it?"}]
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            c.request("POST", "/v1/chat/completions",
                      json.dumps({"messages": [{"role": "user", "content": content}], "max_tokens": STEPS,
                                  "temperature": 0, "ignore_eos": True}), {"Content-Type": "application/json"})
            answer = c.getresponse()
            body = json.loads(answer.read())
            self.assertEqual(answer.status, 200, body)
            self.assertEqual(body["choices"][0]["message"]["content"], r.stdout.rstrip("\n"))
        finally:
            proc.terminate()
            proc.wait(timeout=60)

    def test_a_tower_of_gelu_is_refused(self):
        mmproj = os.path.join(self.dir.name, "gelu.gguf")
        make_mmproj.write_mmproj(mmproj, hparams=TOWER, projector="mlp", meta={"clip.use_gelu": True})
        r = lmc("encode-image", "--mmproj", mmproj, "--image", self.pngs[0])
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("mlp-vision.yaml implements quick GELU only", r.stderr)

    def test_images_that_see_each_other_need_key_ends(self):
        # Gemma 3's tower, whose images attend to each other, beside llama.yaml (no key_ends).
        mmproj = os.path.join(self.dir.name, "gemma3.gguf")
        make_mmproj.write_mmproj(mmproj, hparams={"projection_dim": WIDTH})
        r = lmc("run", self.model, "--mmproj", mmproj, "--image", self.pngs[0], "-p", "hi", "-n", "1")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("they attend to each other, and its definition has no key_ends", r.stderr)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    args, rest = ap.parse_known_args()
    LMC = args.lmc
    unittest.main(argv=[sys.argv[0]] + rest)
