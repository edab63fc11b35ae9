#!/usr/bin/env python3
"""lmc encode-image against the numpy reference (tests/reference/vision_reference.py): a
generated Gemma-3-shaped mmproj (make_mmproj.py at 64 px in 4 px patches: a 16 x 16 grid
of 256 patches, which attention visits in several key blocks and row tiles, pooled 4 x 4
to 16 tokens) and a PNG of the tower's size, so that fitting it to the square keeps it as
it is. lmc's embeddings must match the reference's within 1e-3 relative (max |d| over the
largest |reference|), through the default pipeline and through none (and within 5e-2 with
its linears in Q8_0, which the definition leaves to --quant-min-dim). An mmproj whose tensor has another shape, a file that is no image, and a missing flag are
refused with one error line naming the file and tensor, or the flag.

  test_encode_image.py --lmc BUILD/tools/lmc [unittest options]
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile
import unittest
import zlib

import numpy as np

import make_mmproj

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import vision_reference  # noqa: E402

LMC = None
TOWER = {"image_size": 64, "patch_size": 4, "embedding_length": 32, "feed_forward_length": 64,
         "block_count": 2, "attention.head_count": 4, "projection_dim": 24, "projector.scale_factor": 4}
SIDE = TOWER["image_size"]


def png_bytes(rgb):
    """An 8-bit RGB PNG of `rgb` (uint8 [h, w, 3]), rows unfiltered."""
    h, w, _ = rgb.shape

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"".join(b"\x00" + rgb[y].tobytes() for y in range(h))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def encode_image(*args):
    return subprocess.run([LMC, "encode-image", "--threads", "2", *args], capture_output=True, text=True, timeout=300)


class EncodeImage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.mmproj = os.path.join(cls.dir.name, "mmproj.gguf")
        make_mmproj.write_mmproj(cls.mmproj, hparams=TOWER)
        # Smooth gradients and noise: every pixel value range, no two patches alike.
        y, x = np.mgrid[0:SIDE, 0:SIDE]
        noise = np.random.default_rng(7).integers(0, 64, (SIDE, SIDE, 3))
        cls.rgb = ((np.stack([x * 4, y * 4, (x + y) * 2], axis=-1) + noise) % 256).astype(np.uint8)
        cls.png = os.path.join(cls.dir.name, "image.png")
        with open(cls.png, "wb") as f:
            f.write(png_bytes(cls.rgb))
        hp, w = vision_reference.read_mmproj(cls.mmproj)
        cls.want = vision_reference.encode(hp, w, cls.rgb)

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def embeddings(self, *flags):
        out = os.path.join(self.dir.name, "out.npy")
        r = encode_image("--mmproj", self.mmproj, "--image", self.png, "-o", out, *flags)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"encode-image: {self.png}: 16 tokens x 24, min ", r.stdout)
        return np.load(out)

    def check_close(self, got, what, tolerance=1e-3):
        self.assertEqual(got.shape, (16, 24))
        self.assertEqual(got.dtype, np.float32)
        rel = np.abs(got - self.want).max() / np.abs(self.want).max()
        self.assertLess(rel, tolerance, f"{what}: max |d| / max |reference| = {rel:.3g}")

    def test_default_pipeline_matches_the_numpy_reference(self):
        self.check_close(self.embeddings(), "default pipeline")

    def test_unfused_graph_matches_the_numpy_reference(self):
        self.check_close(self.embeddings("--passes=none"), "--passes=none")

    def test_quantized_tower_stays_near_the_reference(self):
        # gemma3-vision.yaml keeps the file's precision; --quant-min-dim brings Q8_0 back.
        self.check_close(self.embeddings("--quant-min-dim=32"), "Q8_0", 5e-2)

    def test_ir_shows_the_vision_ops(self):
        r = encode_image("--mmproj", self.mmproj, "--image", self.png, "--print-ir-after=fuse-qkv")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("causal = 0", r.stderr + r.stdout)
        self.assertIn("avg_pool", r.stderr + r.stdout)

    def test_mismatched_tensor_is_refused_naming_file_and_tensor(self):
        bad = os.path.join(self.dir.name, "bad.gguf")
        make_mmproj.write_mmproj(bad, hparams=TOWER, shapes={"v.blk.1.ffn_up.weight": (64, 31)})
        r = encode_image("--mmproj", bad, "--image", self.png)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertEqual(r.stderr, f"{bad}: error: tensor 'v.blk.1.ffn_up.weight' has shape [64, 31], "
                                   "expected [64, 32] from the clip.vision.* metadata\n")

    def test_not_an_image_is_refused_naming_it(self):
        txt = os.path.join(self.dir.name, "notes.txt")
        with open(txt, "w") as f:
            f.write("not an image")
        r = encode_image("--mmproj", self.mmproj, "--image", txt)
        self.assertEqual(r.returncode, 1)
        self.assertTrue(r.stderr.startswith(f"{txt}: error: "), r.stderr)
        self.assertEqual(r.stderr.count("\n"), 1, r.stderr)

    def test_each_image_of_one_call_is_its_own(self):
        # The tower compiles once; each --image stores its own patches before its run.
        flipped = os.path.join(self.dir.name, "flipped.png")
        with open(flipped, "wb") as f:
            f.write(png_bytes(np.ascontiguousarray(self.rgb[::-1])))

        def summaries(*images):
            args = [a for image in images for a in ("--image", image)]
            r = encode_image("--mmproj", self.mmproj, *args)
            self.assertEqual(r.returncode, 0, r.stderr)
            return [line.split(", encoded")[0] for line in r.stdout.splitlines()[1:]]

        both = summaries(flipped, self.png)
        self.assertEqual(both, summaries(flipped) + summaries(self.png))
        self.assertNotEqual(both[0].split(": ")[-1], both[1].split(": ")[-1])

    def test_missing_image_flag_is_a_usage_error(self):
        r = encode_image("--mmproj", self.mmproj)
        self.assertEqual(r.returncode, 2)
        self.assertIn("needs --mmproj and --image", r.stderr)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lmc", required=True)
    args, rest = parser.parse_known_args()
    LMC = args.lmc
    unittest.main(argv=[sys.argv[0]] + rest)
