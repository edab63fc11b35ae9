#!/usr/bin/env python3
"""lmc run --mmproj --image against the numpy references: a small generated Gemma-3-shaped
text GGUF (six layers, a sliding window of 16 in the first five, the sixth global; a vocabulary
of 1024 with <start_of_image> and <end_of_image>) and a Gemma-3-shaped mmproj whose tower
gives 16 image tokens in the text width (make_mmproj.py, as test_encode_image.py). The image
embeddings come from tests/reference/vision_reference.py and go into the text model's rows
(reference_forward.py's Session; for lmc's default pipeline lmc's own embeddings, which
test_encode_image.py checks, as Q8_0 rounding would magnify their last bits: the rows replaced after the embedding's scale, an image's
rows attending to each other; Q8_0 linears mirrored for lmc's default pipeline, F32 for
--passes=none). lmc's logits of every prompt row and generated token must
match within 1e-3 (max |d| over the largest |reference|) and the greedy text must be the
reference's, for an image before the text, one at the <__media__> marker, two, and one in a
chat turn. A model
without image rows, a bad image and an --image without --mmproj are refused.

  test_run_image.py --lmc BUILD/tools/lmc [unittest options]
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

import numpy as np

import convert_to_gguf
import make_mmproj
from checkpoint_tokenizers import gemma_tokenizer
from checkpoint_weights import gemma3_tensors, write_safetensors
from test_encode_image import png_bytes

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import reference_forward  # noqa: E402
from quant_mirror import Q8Plan  # noqa: E402
import vision_reference  # noqa: E402

LMC = None
WIDTH = 64
TOWER = {"image_size": 64, "patch_size": 4, "embedding_length": 32, "feed_forward_length": 64,
         "block_count": 2, "attention.head_count": 4, "projection_dim": WIDTH, "projector.scale_factor": 4}
VOCAB = 1024
TEXT = dict(model_type="gemma3_text", architectures=["Gemma3ForCausalLM"], hidden_size=WIDTH,
            num_hidden_layers=6, num_attention_heads=2, num_key_value_heads=1, head_dim=32,
            intermediate_size=128, rms_norm_eps=1e-6, sliding_window=16, sliding_window_pattern=6,
            rope_theta=1000000.0, rope_local_base_freq=10000.0, rope_scaling={"rope_type": "linear", "factor": 8.0},
            query_pre_attn_scalar=32, max_position_embeddings=2048, vocab_size=VOCAB,
            hidden_activation="gelu_pytorch_tanh", attn_logit_softcapping=None, final_logit_softcapping=None,
            bos_token_id=2, eos_token_id=1, pad_token_id=0, tie_word_embeddings=True, torch_dtype="bfloat16")
IMAGE_TOKENS = ("<start_of_image>", "<end_of_image>")
STEPS = 6


def write_text_model(folder, gguf):
    """The checkpoint with the image tokens in place of the last two fillers, then its GGUF."""
    os.makedirs(folder, exist_ok=True)
    write_safetensors(os.path.join(folder, "model.safetensors"), gemma3_tensors(TEXT), "BF16",
                      np.random.default_rng(5))
    tok, tok_config = gemma_tokenizer(VOCAB)
    vocab = tok["model"]["vocab"]
    for token, id_ in zip(IMAGE_TOKENS, (VOCAB - 2, VOCAB - 1)):
        del vocab[next(t for t, i in vocab.items() if i == id_)]
        tok["added_tokens"].append({"id": id_, "content": token, "single_word": False, "lstrip": False,
                                    "rstrip": False, "normalized": False, "special": True})
    for name, value in (("config.json", TEXT), ("tokenizer.json", tok), ("tokenizer_config.json", tok_config)):
        with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
            json.dump(value, f)
    convert_to_gguf.convert(folder, gguf)


SEEDS = (7, 8)


def write_model_pair(folder):
    """The text GGUF, the mmproj and two PNGs in `folder`: their paths and the PNGs' pixels."""
    model = os.path.join(folder, "text.gguf")
    write_text_model(os.path.join(folder, "text"), model)
    mmproj = os.path.join(folder, "mmproj.gguf")
    make_mmproj.write_mmproj(mmproj, hparams=TOWER)
    side = TOWER["image_size"]
    y, x = np.mgrid[0:side, 0:side]
    pngs, rgbs = [], []
    for seed in SEEDS:
        noise = np.random.default_rng(seed).integers(0, 64, (side, side, 3))
        rgbs.append(((np.stack([x * seed, y * 4, (x + y) * 2], axis=-1) + noise) % 256).astype(np.uint8))
        pngs.append(os.path.join(folder, f"image{seed}.png"))
        with open(pngs[-1], "wb") as f:
            f.write(png_bytes(rgbs[-1]))
    return model, mmproj, pngs, rgbs


def model_pair_for(cls):
    """A test class's generated pair: cls.dir a temporary folder, cls.pair its (text GGUF,
    mmproj, PNGs) as the servers take them; returns the PNGs' pixels."""
    cls.dir = tempfile.TemporaryDirectory()
    model, mmproj, pngs, rgbs = write_model_pair(cls.dir.name)
    cls.pair = (model, mmproj, pngs)
    return rgbs


def lmc(*args):
    return subprocess.run([LMC, "run", "--threads", "2", *args], capture_output=True, text=True, errors="replace", timeout=300)


class RunImage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        d = cls.dir.name
        cls.model, cls.mmproj, cls.pngs, rgbs = write_model_pair(d)
        hp, w = vision_reference.read_mmproj(cls.mmproj)
        cls.embeddings, cls.tower_embeddings = [], []
        for seed, rgb, png in zip(SEEDS, rgbs, cls.pngs):
            cls.embeddings.append(vision_reference.encode(hp, w, rgb))
            # lmc's own through its default pipeline: the text model's Q8_0 activations then
            # round the same inputs as the mirror's (the tower's own check is test_encode_image.py).
            out = os.path.join(d, f"image{seed}.npy")
            r = subprocess.run([LMC, "encode-image", "--mmproj", cls.mmproj, "--image", png, "-o", out],
                               capture_output=True, text=True, timeout=300)
            assert r.returncode == 0, r.stderr
            cls.tower_embeddings.append(np.load(out))
        # lmc's default pipeline: Q8_0 linears and an F16 KV cache (mirrored); --passes=none keeps F32.
        model = reference_forward.load_model(cls.model)
        cls.pm = {"q8": model.prepared(Q8Plan(keep_source=True), "f16"), "f32": model.prepared(None, "f32")}

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def run_lmc(self, prompt, images, *flags):
        out = os.path.join(self.dir.name, "logits.npy")
        args = [a for i in images for a in ("--image", self.pngs[i])]
        r = lmc(self.model, "--mmproj", self.mmproj, *args, "-p", prompt, "-n", str(STEPS), "--temp", "0",
                "--ignore-eos", "--logits-out", out, *flags)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r, np.load(out)

    def check_prompt(self, prompt, images, *flags):
        """lmc's logits beside the reference's on lmc's own rows (tokens from its --verbose-prompt
        and its greedy path), and its greedy path the reference's argmax."""
        r, got = self.run_lmc(prompt, images, "--verbose-prompt", *flags)
        tokens = [int(m) for m in re.findall(r"^ *(\d+) -> '", r.stderr, re.M)]
        exact = "--passes=none" in flags
        spans, at = [], 0
        for i in images:
            at = tokens.index(VOCAB - 2, at) + 1
            spans.append((at, self.embeddings[i] if exact else self.tower_embeddings[i]))
            at += len(spans[-1][1])
        s = reference_forward.Session(self.pm["f32" if exact else "q8"])
        prompt_rows = len(tokens)
        want = [s.step(tokens, images=spans)]
        path = [int(np.argmax(got[prompt_rows - 1 + k])) for k in range(STEPS)]
        want.append(s.step(path[:STEPS - 1]))
        want = np.concatenate(want)
        self.assertEqual(got.shape, want.shape)
        rel = np.abs(got - want).max() / np.abs(want).max()
        self.assertLess(rel, 1e-3, f"max |d| / max |reference| = {rel:.3g}")
        self.assertEqual(path, [int(t) for t in np.argmax(want[prompt_rows - 1:], axis=1)])
        return r

    def test_image_before_the_text(self):
        self.check_prompt("What is in this picture?", [0])

    def test_image_at_the_marker(self):
        self.check_prompt("Look: <__media__> and say what it shows.", [1])

    def test_two_images(self):
        self.check_prompt("First <__media__> then <__media__>, compare them.", [0, 1], "--passes=none")

    def test_markers_go_in_the_users_message(self):
        # As llama-mtmd-cli: the image before the text inside the chat turn, not before the turn.
        r = self.check_prompt("What is it?", [0], "--single-turn", "--chat-template", "gemma")
        self.assertIn("lmc: prompt: '<start_of_turn>user\n<__media__>What is it?<end_of_turn>", r.stderr)

    def test_image_changes_the_answer(self):
        _, one = self.run_lmc("Describe it.", [0])
        _, other = self.run_lmc("Describe it.", [1])
        self.assertGreater(np.abs(one[-STEPS] - other[-STEPS]).max(), 1e-3)

    def test_text_model_without_image_rows_is_refused(self):
        # gemma3.yaml without its image inputs: the text model alone.
        with open(os.path.join(MODELS, "gemma3.yaml")) as f:
            text = f.read()
        text = re.sub(r"\ninputs:\n(  .*\n)+", "\n", text).replace("positions, seq, key_ends,", "positions, seq,")
        text = "".join(line for line in text.splitlines(True) if not line.startswith("  - e = ")
                       and "image_rows)" not in line and "add(x, e)" not in line)
        definition = os.path.join(self.dir.name, "gemma3-text.yaml")
        with open(definition, "w") as f:
            f.write(text)
        r = lmc(self.model, "--model-def", definition, "--mmproj", self.mmproj, "--image", self.pngs[0], "-p", "hi",
                "-n", "1")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("error: the model reads no images", r.stderr)

    def test_bad_image_is_refused_naming_it(self):
        bad = os.path.join(self.dir.name, "bad.png")
        with open(bad, "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\nnot really")
        r = lmc(self.model, "--mmproj", self.mmproj, "--image", bad, "-p", "hi", "-n", "1")
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.splitlines()[-1].startswith(f"{bad}: error: "), r.stderr)

    def test_image_without_mmproj_is_refused(self):
        r = lmc(self.model, "--image", self.pngs[0], "-p", "hi", "-n", "1")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--mmproj", r.stderr)

    def test_image_beside_several_prompts_is_refused(self):
        r = lmc(self.model, "--mmproj", self.mmproj, "--image", self.pngs[0], "--prompts", "-", "-n", "1")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("--image and --mmproj apply to one prompt", r.stderr)


MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models")

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    args, rest = ap.parse_known_args()
    LMC = args.lmc
    unittest.main(argv=[sys.argv[0]] + rest)
