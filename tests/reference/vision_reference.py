#!/usr/bin/env python3
"""An independent encoder of Gemma 3's vision tower in numpy, sharing no code with lmc.

Reads an mmproj GGUF as llama.cpp's converter writes it (through the `gguf` package's
GGUFReader) and computes what HF transformers' SiglipVisionModel and
Gemma3MultiModalProjector compute, in llama.cpp's clip graph's layout:

  * the image as 8-bit RGB of the tower's square, each channel (v / 255 - mean) / std;
  * the patch embedding: a convolution whose kernel and stride are the patch, plus its
    bias, then the learned position of each patch (row-major over the grid);
  * per block: LayerNorm, multi-head attention with biases over every patch (no mask),
    the output projection, a residual; LayerNorm, an MLP up, GELU (tanh form, as
    llama.cpp's ggml_gelu and HF's gelu_pytorch_tanh), down, a residual;
  * the post LayerNorm; the patch grid averaged over pool x pool squares
    (clip.vision.projector.scale_factor, default 4); an RMS norm times
    mm.soft_emb_norm.weight (stored as 1 + w by the converter); the projection
    mm.input_projection.weight, stored [width, text width].

LLaVA-1.5's tower (clip.projector_type "mlp"), as HF's CLIPVisionModel and
LlavaMultiModalProjector compute it in llama.cpp's llava graph's layout:

  * the patch embedding without a bias; the class embedding as one more row, after the
    patches as llama.cpp's mtmd places it (its issue 25814; HF's CLIP: first), then each
    row's learned position (0 .. patches) and the pre LayerNorm;
  * the blocks as above with quick GELU, x * sigmoid(1.702 x), all but the last (the
    features are the second-to-last layer's);
  * the step's first row dropped (mtmd keeps the rows 1 .. patches), then mm.0, GELU (tanh
    form, llama.cpp's ggml_gelu), mm.2.

Everything runs in float64, so its distance from lmc's float32 is lmc's rounding.

  vision_reference.py MMPROJ.gguf IMAGE.npy OUT.npy   (IMAGE: uint8 [side, side, 3])
"""
import sys

import numpy as np
from gguf import GGUFReader


def _field(reader, key, default=None):
    f = reader.fields.get(key)
    if f is None:
        return default
    values = [f.parts[i] for i in f.data]
    if len(values) == 1 and len(values[0]) == 1:
        return values[0][0].item()
    return [v[0].item() for v in values]


def read_mmproj(path):
    reader = GGUFReader(path)
    hp = {k: _field(reader, "clip.vision." + k) for k in
          ("image_size", "patch_size", "embedding_length", "block_count", "attention.head_count",
           "attention.layer_norm_epsilon", "image_mean", "image_std")}
    hp["projector"] = _field(reader, "clip.projector_type")
    if isinstance(hp["projector"], (list, int)):  # a string field's parts: its bytes
        hp["projector"] = bytes(reader.fields["clip.projector_type"].parts[-1]).decode()
    hp["pool"] = _field(reader, "clip.vision.projector.scale_factor", 4)
    weights = {t.name: np.array(t.data, dtype=np.float64).reshape([int(d) for d in reversed(t.shape)])
               for t in reader.tensors}
    return hp, weights


def _layer_norm(x, w, b, eps):
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def _attention(x, w, blk, heads):
    n, e = x.shape
    hd = e // heads

    def proj(name):
        return x @ w[blk + name + ".weight"].T + w[blk + name + ".bias"]

    q, k, v = (proj(p).reshape(n, heads, hd).transpose(1, 0, 2) for p in ("attn_q", "attn_k", "attn_v"))
    scores = q @ k.transpose(0, 2, 1) / np.sqrt(hd)
    scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
    scores /= scores.sum(axis=-1, keepdims=True)
    out = (scores @ v).transpose(1, 0, 2).reshape(n, e)
    return out @ w[blk + "attn_out.weight"].T + w[blk + "attn_out.bias"]


def normalize(rgb, hp):
    """uint8 [side, side, 3] -> float32 [3, side, side], rounded as llama.cpp's float32 steps."""
    x = rgb.astype(np.float32) / np.float32(255)
    x = (x - np.array(hp["image_mean"], np.float32)) / np.array(hp["image_std"], np.float32)
    return x.transpose(2, 0, 1)


def _quick_gelu(x):
    return x / (1 + np.exp(-1.702 * x))


def _blocks(hp, w, x, count, act):
    eps, heads = hp["attention.layer_norm_epsilon"], hp["attention.head_count"]
    for i in range(count):
        blk = f"v.blk.{i}."
        h = _layer_norm(x, w[blk + "ln1.weight"], w[blk + "ln1.bias"], eps)
        x = x + _attention(h, w, blk, heads)
        h = _layer_norm(x, w[blk + "ln2.weight"], w[blk + "ln2.bias"], eps)
        f = act(h @ w[blk + "ffn_up.weight"].T + w[blk + "ffn_up.bias"])
        x = x + f @ w[blk + "ffn_down.weight"].T + w[blk + "ffn_down.bias"]
    return x


def _patch_embedding(hp, w, rgb):
    p, side = hp["patch_size"], hp["image_size"] // hp["patch_size"]
    pixels = normalize(rgb, hp).astype(np.float64)
    # [3, side*p, side*p] -> [side, side, 3, p, p]: patch (py, px) with its channels' squares.
    patches = pixels.reshape(3, side, p, side, p).transpose(1, 3, 0, 2, 4).reshape(side * side, 3 * p * p)
    kernel = w["v.patch_embd.weight"].reshape(w["v.patch_embd.weight"].shape[0], -1)
    return patches @ kernel.T


def encode_mlp(hp, w, rgb, class_first=False):
    """LLaVA-1.5's embeddings [patches, text width]; class_first: HF's order, not mtmd's."""
    x = _patch_embedding(hp, w, rgb)
    cls = w["v.class_embd"][None, :]
    x = np.concatenate([cls, x] if class_first else [x, cls]) + w["v.position_embd.weight"]
    x = _layer_norm(x, w["v.pre_ln.weight"], w["v.pre_ln.bias"], hp["attention.layer_norm_epsilon"])
    x = _blocks(hp, w, x, hp["block_count"] - 1, _quick_gelu)[1:]
    x = _gelu_tanh(x @ w["mm.0.weight"].T + w["mm.0.bias"])
    return x @ w["mm.2.weight"].T + w["mm.2.bias"]


def encode(hp, w, rgb):
    if hp["projector"] == "mlp":
        return encode_mlp(hp, w, rgb)
    side = hp["image_size"] // hp["patch_size"]
    eps, pool = hp["attention.layer_norm_epsilon"], hp["pool"]
    x = _patch_embedding(hp, w, rgb) + w["v.patch_embd.bias"] + w["v.position_embd.weight"]
    x = _blocks(hp, w, x, hp["block_count"], _gelu_tanh)
    x = _layer_norm(x, w["v.post_ln.weight"], w["v.post_ln.bias"], eps)
    e, out = x.shape[1], side // pool
    x = x.reshape(out, pool, out, pool, e).mean(axis=(1, 3)).reshape(out * out, e)
    x = x / np.sqrt((x ** 2).mean(axis=-1, keepdims=True) + eps) * w["mm.soft_emb_norm.weight"]
    return x @ w["mm.input_projection.weight"]


def main():
    hp, w = read_mmproj(sys.argv[1])
    np.save(sys.argv[3], encode(hp, w, np.load(sys.argv[2])))


if __name__ == "__main__":
    main()
