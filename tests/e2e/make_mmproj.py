#!/usr/bin/env python3
"""Writes a Gemma-3-shaped mmproj GGUF with random weights (fixed seed), as llama.cpp's
convert_hf_to_gguf.py --mmproj lays Gemma 3's vision tower out, at a tiny size:

  make_mmproj.py OUT.gguf

  * general.architecture "clip", clip.has_vision_encoder, clip.projector_type "gemma3",
    clip.use_gelu, and the clip.vision.* keys: image_size 32, patch_size 8 (4 x 4 patches),
    embedding_length 16, feed_forward_length 32, block_count 2, attention.head_count 4,
    attention.layer_norm_epsilon 1e-6, projection_dim 24 (the text model's width),
    projector.scale_factor 2 (pooled to 2 x 2 = 4 tokens; Gemma 3's files omit it for 4),
    image_mean and image_std 0.5 each.
  * Tensors under llama.cpp's names in numpy's order: v.patch_embd.weight [16, 3, 8, 8] and
    its bias, v.position_embd.weight [16 patches, 16], per block ln1, attn_q/k/v/out, ln2,
    ffn_up [32, 16], ffn_down [16, 32] (each with a bias), v.post_ln, mm.soft_emb_norm.weight
    [16] and mm.input_projection.weight [16, 24] (width by text width). Matrices in F16, the
    rest in F32, as the converter stores them.

write_mmproj(path, drop=(), shapes={}, meta={}, hparams={}) writes variants: keys left out,
tensors of other shapes, keys of other values (the bad-input table), or another size of the
same tower (hparams over HPARAMS, the tensors shaped to match: test_encode_image.py).

write_mmproj(path, projector="mlp", hparams=...) writes LLaVA-1.5's layout instead, as
llama.cpp's llava converter does: clip.projector_type "mlp", clip.use_gelu false (quick GELU),
image_mean and image_std CLIP's; v.class_embd [width], v.patch_embd.weight without a bias,
v.position_embd.weight [patches + 1, width], v.pre_ln, the same blocks, no post LayerNorm,
then mm.0 [text width, width] and mm.2 [text width, text width] with their biases.
"""
import os
import re
import sys

import numpy as np
from gguf import GGUFWriter

HPARAMS = {"image_size": 32, "patch_size": 8, "embedding_length": 16, "feed_forward_length": 32,
           "block_count": 2, "attention.head_count": 4, "projection_dim": 24, "projector.scale_factor": 2}


def definition_with_step(folder, name, rows):
    """models/<name>.yaml written into `folder` with a step of `rows` rows: for images longer
    than a step. Its path."""
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "models", name + ".yaml")) as f:
        text = f.read()
    path = os.path.join(folder, f"{name}-step{rows}.yaml")
    with open(path, "w") as f:
        f.write(re.sub(r"^step_tokens: .*$", f"step_tokens: {rows}", text, flags=re.M))
    return path


def tensor_shapes(hp=None, projector="gemma3"):
    hp = {**HPARAMS, **(hp or {})}
    e, f, p = hp["embedding_length"], hp["feed_forward_length"], hp["patch_size"]
    patches = (hp["image_size"] // p) ** 2
    if projector == "mlp":
        shapes = {"v.class_embd": (e,), "v.patch_embd.weight": (e, 3, p, p),
                  "v.position_embd.weight": (patches + 1, e), "v.pre_ln.weight": (e,), "v.pre_ln.bias": (e,)}
    else:
        shapes = {"v.patch_embd.weight": (e, 3, p, p), "v.patch_embd.bias": (e,),
                  "v.position_embd.weight": (patches, e)}
    for i in range(hp["block_count"]):
        blk = f"v.blk.{i}."
        for norm in ("ln1", "ln2"):
            shapes.update({blk + norm + ".weight": (e,), blk + norm + ".bias": (e,)})
        for proj, (rows, cols) in {"attn_q": (e, e), "attn_k": (e, e), "attn_v": (e, e), "attn_out": (e, e),
                                   "ffn_up": (f, e), "ffn_down": (e, f)}.items():
            shapes.update({blk + proj + ".weight": (rows, cols), blk + proj + ".bias": (rows,)})
    d = hp["projection_dim"]
    if projector == "mlp":
        shapes.update({"mm.0.weight": (d, e), "mm.0.bias": (d,), "mm.2.weight": (d, d), "mm.2.bias": (d,)})
    else:
        shapes.update({"v.post_ln.weight": (e,), "v.post_ln.bias": (e,), "mm.soft_emb_norm.weight": (e,),
                       "mm.input_projection.weight": (e, d)})
    return shapes


def metadata(hp=None, projector="gemma3"):
    meta = {"clip.has_vision_encoder": True, "clip.projector_type": "gemma3", "clip.use_gelu": True,
            "clip.vision.attention.layer_norm_epsilon": np.float32(1e-6),
            "clip.vision.image_mean": [0.5, 0.5, 0.5], "clip.vision.image_std": [0.5, 0.5, 0.5]}
    if projector == "mlp":
        meta.update({"clip.projector_type": "mlp", "clip.use_gelu": False,
                     "clip.vision.attention.layer_norm_epsilon": np.float32(1e-5),
                     "clip.vision.image_mean": [0.48145466, 0.4578275, 0.40821073],
                     "clip.vision.image_std": [0.26862954, 0.26130258, 0.27577711]})
    hp = {**HPARAMS, **(hp or {})}
    if projector == "mlp":
        hp.pop("projector.scale_factor")
    meta.update({"clip.vision." + k: np.uint32(v) for k, v in hp.items()})
    return meta


def add_value(w, key, value):
    if isinstance(value, bool):
        w.add_bool(key, value)
    elif isinstance(value, str):
        w.add_string(key, value)
    elif isinstance(value, list):
        w.add_array(key, [float(v) for v in value])
    elif isinstance(value, np.float32):
        w.add_float32(key, float(value))
    else:
        w.add_uint32(key, int(value))


def write_mmproj(path, drop=(), shapes=None, meta=None, hparams=None, projector="gemma3", dtype=np.float16):
    """dtype: the matrices' (F16 as the converter's default; F32 for an exact comparison)."""
    rng = np.random.default_rng(0)
    w = GGUFWriter(path, "clip")
    for key, value in {**metadata(hparams, projector), **(meta or {})}.items():
        if key not in drop:
            add_value(w, key, value)
    for name, shape in {**tensor_shapes(hparams, projector), **(shapes or {})}.items():
        if name in drop:
            continue
        data = (rng.standard_normal(shape) * 0.1).astype(np.float32)
        # llama.cpp's converter keeps the position embeddings in F32 (ggml's CPU add takes no F16 operand).
        w.add_tensor(name, data.astype(dtype) if len(shape) > 1 and "position_embd" not in name else data)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    write_mmproj(sys.argv[1])
