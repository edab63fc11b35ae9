#!/usr/bin/env python3
"""The numpy reference of models/image/vision_preprocess.h, in float32 as llama.cpp's mtmd
computes it, printing the C++ arrays test_vision_preprocess.cpp compares with:

  vision_preprocess_reference.py

The input is the test's pattern image (pixel (x, y) channel c is (x * 37 + y * 91 + c * 53)
mod 256); each case fits it into a square and normalizes it with CLIP's mean and std.
"""
import numpy as np

F = np.float32
MEAN = np.array([0.48145466, 0.4578275, 0.40821073], dtype=F)
STD = np.array([0.26862954, 0.26130258, 0.27577711], dtype=F)


def pattern(w, h):
    y, x, c = np.meshgrid(np.arange(h), np.arange(w), np.arange(3), indexing="ij")
    return ((x * 37 + y * 91 + c * 53) % 256).astype(np.uint8)


def taps(source, target):
    """Per target index: the two source indices and the fraction, corners aligned."""
    step = F(source - 1) / F(target - 1) if target > 1 else F(0)
    at = np.arange(target, dtype=F) * step
    lo = np.minimum(at.astype(np.int64), source - 1)
    return lo, np.minimum(lo + 1, source - 1), (at - lo.astype(F)).astype(F)


def lerp(a, b, t):
    return (a + (b - a) * t).astype(F)


def resize(img, w, h):
    x0, x1, fx = taps(img.shape[1], w)
    y0, y1, fy = taps(img.shape[0], h)
    src = img.astype(F)
    fx = fx[None, :, None]
    top = lerp(src[y0][:, x0], src[y0][:, x1], fx)
    bottom = lerp(src[y1][:, x0], src[y1][:, x1], fx)
    return lerp(top, bottom, fy[:, None, None]).astype(np.uint8)  # truncation, as a C cast


def fit(img, size):
    h, w = img.shape[:2]
    if (w, h) == (size, size):
        return img
    scale = min(F(size) / F(w), F(size) / F(h))
    nw, nh = (min(int(np.ceil(F(n) * scale)), size) for n in (w, h))
    out = np.zeros((size, size, 3), np.uint8)
    left, top = (size - nw) // 2, (size - nh) // 2
    out[top:top + nh, left:left + nw] = resize(img, nw, nh)
    return out


def normalize_chw(img):
    return ((img.astype(F) / F(255) - MEAN) / STD).astype(F).transpose(2, 0, 1)


def main():
    for name, (w, h, size) in {"Wide": (7, 3, 6), "Tall": (2, 5, 8), "Down": (13, 11, 4)}.items():
        out = fit(pattern(w, h), size)
        print(f"// {name}: {w} x {h} into {size}")
        print("{" + ", ".join(str(v) for v in out.reshape(-1)) + "}")
    chw = normalize_chw(fit(pattern(13, 11), 4))
    print("// Down, normalized (CHW), every value")
    print("{" + ", ".join(f"{v:.9g}f" for v in chw.reshape(-1)) + "}")


if __name__ == "__main__":
    main()
