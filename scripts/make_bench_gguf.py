#!/usr/bin/env python3
"""Writes a GGUF with random weights at a real model's shape, in F16, for benchmarks at the
sizes users run (docs/performance.md). No weights of those sizes can be downloaded here;
the shapes are what decide a runtime's bytes and work per token.

  make_bench_gguf.py --shape 1b|7b|8b|olmoe [--seed N] OUT.gguf

  * 1b: Llama 3.2 1B (hidden 2048, 16 layers, 32 heads, 8 KV heads, FFN 8192, tied head).
  * 7b: Mistral 7B v0.1 (hidden 4096, 32 layers, 32 heads, 8 KV heads, FFN 14336).
  * 8b: Llama 3 8B (hidden 4096, 32 layers, 32 heads, 8 KV heads, FFN 14336, untied head)
    with its 128256-token vocabulary: SmolLM2's tokens padded with control tokens
    (<|reserved_special_token_N|>, as Llama 3 names its own), so the embedding and the head
    have Llama 3's rows.
  * olmoe: OLMoE-1B-7B (architecture olmoe: hidden 2048, 16 layers, 16 heads, q and k
    normed whole, 64 experts of FFN 1024 per layer, 8 used per token, untied head): 6.9B
    weights of which 1.3B are read per token.
  * The vocabulary is SmolLM2's (49152 byte-level BPE tokens, copied from
    models/weights/SmolLM2-135M-Instruct.Q4_1.gguf, which scripts/setup.sh installs): both
    lmc and llama.cpp load it, and the embedding and head take that many rows.
  * Weights: normal(0, 1/sqrt(fan_in)) from --seed, norms ones, written one tensor at a
    time (a 7B F16 file is 14.5 GB; memory holds one tensor).

Quantize with the peer's quantizer, built outside this repository (../PEER.md of the
workplace says how), e.g. `llama-quantize OUT.gguf OUT-Q4_K_M.gguf Q4_K_M` (also Q4_0, Q6_K,
Q8_0), and compare `lmc bench FILE -t 2 -r 5 -n 32 -p 64,512` with `llama-bench -m FILE -t 2
-r 5 -n 32 -p 64,512` on the same file.
"""
import argparse
import os
import sys

import numpy as np
import gguf

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VOCAB_FILE = os.path.join(SOURCE, "models", "weights", "SmolLM2-135M-Instruct.Q4_1.gguf")

SHAPES = {
    "1b": dict(name="llama-3.2-1b-shape", hidden=2048, layers=16, heads=32, kv_heads=8, ffn=8192, tied=True,
               rope_theta=500000.0, eps=1e-5, context=131072),
    "7b": dict(name="mistral-7b-shape", hidden=4096, layers=32, heads=32, kv_heads=8, ffn=14336, tied=False,
               rope_theta=10000.0, eps=1e-5, context=32768),
    "8b": dict(name="llama-3-8b-shape", hidden=4096, layers=32, heads=32, kv_heads=8, ffn=14336, tied=False,
               rope_theta=500000.0, eps=1e-5, context=8192, vocab=128256),
    "olmoe": dict(name="olmoe-1b-7b-shape", arch="olmoe", hidden=2048, layers=16, heads=16, kv_heads=16, ffn=1024,
                  experts=64, experts_used=8, tied=False, rope_theta=10000.0, eps=1e-5, context=4096),
}


def copy_vocabulary(w, size=None):
    """SmolLM2's tokenizer keys, as its GGUF stores them, its tokens padded with control
    tokens to `size` when given; returns the vocabulary size."""
    reader = gguf.GGUFReader(VOCAB_FILE)
    n_vocab = 0
    for key, field in reader.fields.items():
        if not key.startswith("tokenizer."):
            continue
        value = field.contents()
        if key == "tokenizer.ggml.tokens":
            if size:
                value = value + [f"<|reserved_special_token_{i}|>" for i in range(size - len(value))]
            n_vocab = len(value)
        if key == "tokenizer.ggml.token_type" and size:
            value = value + [int(gguf.TokenType.CONTROL)] * (size - len(value))
        kind = field.types[0]
        if kind == gguf.GGUFValueType.ARRAY:
            w.add_array(key, value)
        else:
            w.add_key_value(key, value, kind)
    return n_vocab


def ffn_shapes(s, b):
    """A layer's feed-forward: Llama's three projections, or a router and the experts'
    stacked [experts, out, in] (llama.cpp's ffn_*_exps)."""
    h, f = s["hidden"], s["ffn"]
    if "experts" not in s:
        return [(b + "ffn_gate.weight", [f, h]), (b + "ffn_up.weight", [f, h]), (b + "ffn_down.weight", [h, f])]
    e = s["experts"]
    return [(b + "ffn_gate_inp.weight", [e, h]), (b + "ffn_gate_exps.weight", [e, f, h]),
            (b + "ffn_up_exps.weight", [e, f, h]), (b + "ffn_down_exps.weight", [e, h, f])]


def tensor_shapes(s, n_vocab):
    """(name, shape) of every tensor, in numpy's order ([out, in] for a projection)."""
    h, kv = s["hidden"], s["hidden"] // s["heads"] * s["kv_heads"]
    out = [("token_embd.weight", [n_vocab, h])]
    for i in range(s["layers"]):
        b = f"blk.{i}."
        out += [(b + "attn_norm.weight", [h]), (b + "attn_q.weight", [h, h]), (b + "attn_k.weight", [kv, h]),
                (b + "attn_v.weight", [kv, h])]
        if s.get("arch") == "olmoe":
            out += [(b + "attn_q_norm.weight", [h]), (b + "attn_k_norm.weight", [kv])]
        out += [(b + "attn_output.weight", [h, h]), (b + "ffn_norm.weight", [h])] + ffn_shapes(s, b)
    out.append(("output_norm.weight", [h]))
    if not s["tied"]:
        out.append(("output.weight", [n_vocab, h]))
    return out


def values(shape, rng):
    if len(shape) == 1:
        return np.ones(shape, dtype=np.float16)
    w = rng.standard_normal(shape, dtype=np.float32) / np.float32(np.sqrt(shape[-1]))
    return w.astype(np.float16)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--shape", choices=sorted(SHAPES), required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("out")
    a = p.parse_args()
    s = SHAPES[a.shape]
    w = gguf.GGUFWriter(a.out, s.get("arch", "llama"))
    w.add_name(s["name"])
    w.add_context_length(s["context"])
    w.add_embedding_length(s["hidden"])
    w.add_block_count(s["layers"])
    w.add_feed_forward_length(s["ffn"])
    w.add_head_count(s["heads"])
    w.add_head_count_kv(s["kv_heads"])
    w.add_rope_dimension_count(s["hidden"] // s["heads"])
    w.add_rope_freq_base(s["rope_theta"])
    w.add_layer_norm_rms_eps(s["eps"])
    if "experts" in s:
        w.add_expert_count(s["experts"])
        w.add_expert_used_count(s["experts_used"])
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)
    n_vocab = copy_vocabulary(w, s.get("vocab"))
    w.add_vocab_size(n_vocab)
    shapes = tensor_shapes(s, n_vocab)
    for name, shape in shapes:
        dtype = np.float32 if len(shape) == 1 else np.float16
        w.add_tensor_info(name, shape, np.dtype(dtype), int(np.prod(shape)) * np.dtype(dtype).itemsize)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_ti_data_to_file()
    rng = np.random.default_rng(a.seed)
    for i, (name, shape) in enumerate(shapes):
        v = values(shape, rng)
        w.write_tensor_data(v.astype(np.float32) if len(shape) == 1 else v)
        if sys.stderr.isatty():
            print(f"\r{i + 1}/{len(shapes)} tensors", end="", file=sys.stderr, flush=True)
    w.close()
    print(f"{a.out}: {len(shapes)} tensors, {os.path.getsize(a.out) / 1e9:.2f} GB", file=sys.stderr)


if __name__ == "__main__":
    main()
