#!/usr/bin/env python3
"""The square fit a vision tower takes (models/image/vision_preprocess.h, resampling in
models/image/resample.h) against Pillow, whose resampling llama.cpp's mtmd reproduces:

  test_resample_matches_pillow.py IMAGE_FIT

Random images, wide, tall, shrunk and enlarged, bilinear and bicubic, each fitted into a
square as mtmd's fixed-size preprocessing does (scaled by min(size / w, size / h) to sides
of ceil(side * scale), placed at ((size - w) // 2, (size - h) // 2) on the pad color):
every byte equal. mtmd resizes the rows first, then the columns, each pass rounded to 8
bits; Pillow 13 takes the columns first when they shrink more, so the reference is Pillow's
resize of the width alone, then of the height alone (reducing_gap None): its arithmetic, in
mtmd's order.
"""
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
from PIL import Image

TOOL = sys.argv[1] if len(sys.argv) > 1 else "image_fit"
FILTERS = {"bilinear": Image.Resampling.BILINEAR, "bicubic": Image.Resampling.BICUBIC}
# (width, height, square side): shrunk by 1.1 to 9x, enlarged by 1.6 to 16x, one side kept.
CASES = [(7, 3, 6), (2, 5, 8), (13, 11, 4), (100, 37, 64), (37, 100, 64), (300, 200, 224),
         (640, 480, 336), (9, 5, 144), (3, 3, 48), (896, 600, 896), (64, 63, 64)]


def pillow_fit(rgb, size, filter_name, pad):
    h, w = rgb.shape[:2]
    if (w, h) == (size, size):
        return rgb
    scale = min(np.float32(size) / np.float32(w), np.float32(size) / np.float32(h))
    nw, nh = (min(int(np.ceil(np.float32(n) * scale)), size) for n in (w, h))
    rows_first = Image.fromarray(rgb).resize((nw, h), FILTERS[filter_name], reducing_gap=None)
    scaled = np.asarray(rows_first.resize((nw, nh), FILTERS[filter_name], reducing_gap=None))
    out = np.empty((size, size, 3), np.uint8)
    out[:, :] = pad
    left, top = (size - nw) // 2, (size - nh) // 2
    out[top:top + nh, left:left + nw] = scaled
    return out


class ResampleMatchesPillow(unittest.TestCase):
    def test_every_case_and_filter_is_byte_equal(self):
        rng = np.random.default_rng(7)
        with tempfile.TemporaryDirectory() as d:
            for w, h, size in CASES:
                rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
                path = os.path.join(d, f"{w}x{h}.png")
                Image.fromarray(rgb).save(path)
                for name in FILTERS:
                    pad = (122, 116, 104) if name == "bicubic" else (0, 0, 0)
                    with self.subTest(w=w, h=h, size=size, filter=name):
                        got = subprocess.run([TOOL, path, str(size), name, *map(str, pad)], check=True,
                                             capture_output=True).stdout
                        want = pillow_fit(rgb, size, name, pad)
                        got = np.frombuffer(got, np.uint8).reshape(want.shape)
                        diff = np.abs(got.astype(int) - want.astype(int))
                        self.assertEqual(int(diff.max()), 0, f"{int((diff > 0).sum())} bytes differ")

    def test_the_check_has_teeth(self):
        # The other filter's pixels differ: a resampler that ignored its filter would fail.
        rng = np.random.default_rng(8)
        rgb = rng.integers(0, 256, (37, 100, 3), dtype=np.uint8)
        self.assertFalse(np.array_equal(pillow_fit(rgb, 64, "bilinear", (0, 0, 0)),
                                        pillow_fit(rgb, 64, "bicubic", (0, 0, 0))))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1])
