#!/usr/bin/env python3
"""lmc inspect on an mmproj (llama.cpp's --mmproj file): the tiny Gemma-3-shaped one of
make_mmproj.py, with and without its pooling key, shown as the vision tower lmc reads (the
image's square, its patches, the tokens it becomes, the encoder, the pixel normalization)
beside its metadata and tensors. The refusals of bad ones are rows of the bad-input table
(tests/badinput/bad_mmproj.py).

  test_inspect_mmproj.py --lmc BUILD/tools/lmc [unittest options]
"""
import argparse
import os
import subprocess
import sys
import tempfile
import unittest

import make_mmproj

LMC = None


def inspect(path):
    return subprocess.run([LMC, "inspect", path], capture_output=True, text=True, timeout=60)


class InspectMmproj(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.path = os.path.join(self.dir.name, "mmproj.gguf")

    def tearDown(self):
        self.dir.cleanup()

    def test_shows_the_vision_tower(self):
        make_mmproj.write_mmproj(self.path)
        r = inspect(self.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "")
        self.assertIn("vision tower (mmproj): projector gemma3\n"
                      "  image 32 px square in 8 px patches (4 x 4), pooled by 2 to 4 tokens of width 24\n"
                      "  encoder 2 blocks, width 16, 4 heads, MLP 32 (GELU), LayerNorm epsilon 1e-06\n"
                      "  pixels (v / 255 - mean) / std, mean [0.5, 0.5, 0.5], std [0.5, 0.5, 0.5]\n", r.stdout)
        self.assertIn("total: 39 tensors", r.stdout)
        every = subprocess.run([LMC, "inspect", self.path, "--tensors"], capture_output=True, text=True).stdout
        self.assertRegex(every, r"\n  mm\.input_projection\.weight +f16 +\[16,24\] ")

    # Gemma 3's own files carry no scale factor: 4 x 4 pooling, llama.cpp's default.
    def test_pool_defaults_to_four(self):
        make_mmproj.write_mmproj(self.path, drop=("clip.vision.projector.scale_factor",),
                                 meta={"clip.vision.image_size": 64},
                                 shapes={"v.position_embd.weight": (64, 16)})
        r = inspect(self.path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("image 64 px square in 8 px patches (8 x 8), pooled by 4 to 4 tokens of width 24", r.stdout)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lmc", required=True)
    args, rest = parser.parse_known_args()
    LMC = os.path.abspath(args.lmc)
    unittest.main(argv=[sys.argv[0]] + rest)
