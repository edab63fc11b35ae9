#!/usr/bin/env python3
"""The numpy reference of models/image/vision_preprocess.h's normalization, in float32 as
llama.cpp's mtmd computes it, printing the C++ array test_vision_preprocess.cpp compares with:

  vision_preprocess_reference.py

The input is the test's pattern image (pixel (x, y) channel c is (x * 37 + y * 91 + c * 53)
mod 256), normalized with CLIP's mean and std. The square fit's resampling is checked
against Pillow itself (test_resample_matches_pillow.py).
"""
import numpy as np

F = np.float32
MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=F)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=F)


def pattern(w, h):
    y, x, c = np.meshgrid(np.arange(h), np.arange(w), np.arange(3), indexing="ij")
    return ((x * 37 + y * 91 + c * 53) % 256).astype(np.uint8)


def normalize_chw(img):
    return ((img.astype(F) / F(255) - MEAN) / STD).astype(F).transpose(2, 0, 1)


def main():
    chw = normalize_chw(pattern(4, 4))
    print("// 4 x 4, normalized (CHW), every value")
    print("{" + ", ".join(f"{v:.9g}f" for v in chw.reshape(-1)) + "}")


if __name__ == "__main__":
    main()
