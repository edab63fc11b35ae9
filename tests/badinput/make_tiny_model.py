#!/usr/bin/env python3
"""Writes a tiny llama model for tests that need a real end-to-end run but no real weights:

  make_tiny_model.py <outdir> [--micro]
      tiny.gguf   2 layers, d_model 64, 4 heads (2 KV heads), FFN 128, random f32 weights,
                  a 300-token SentencePiece vocabulary (byte fallback) written with gguf-py
      tiny.yaml   the llama model definition pointing at tiny.gguf, context 64
  --micro shrinks it to d_model 16, FFN 32 and 32 tokens without byte fallback (a few KB of
  weights: small enough for the fuzz seed corpus).

The weights are random (fixed seed), so the text it generates is nonsense; what matters
is that compile, run and every check on the way see a well-formed model of a few hundred KB.
"""
import os
import sys
from dataclasses import dataclass

import numpy as np
from gguf import GGUFWriter, TokenType

N_LAYERS, N_HEADS, N_KV_HEADS = 2, 4, 2


@dataclass
class Size:
    d_model: int
    ffn: int
    vocab: int
    byte_fallback: bool


TINY = Size(d_model=64, ffn=128, vocab=300, byte_fallback=True)
MICRO = Size(d_model=16, ffn=32, vocab=32, byte_fallback=False)
PIECES = ["\u2581the", "\u2581a", "\u2581is", "\u2581of", "\u2581and", "\u2581to", "\u2581in", "\u2581it",
          "he", "in", "er", "an", "re", "on", "at", "en", "\u2581"]

YAML = """\
# A 2-layer llama with random weights (tests/badinput/make_tiny_model.py).
name: tiny-llama
weights: tiny.gguf
tokenizer: gguf
params:
  d_model: meta("llama.embedding_length")
  n_layers: meta("llama.block_count")
  n_heads: meta("llama.attention.head_count")
  n_kv_heads: meta("llama.attention.head_count_kv")
  head_dim: d_model / n_heads
  eps: meta("llama.attention.layer_norm_rms_epsilon")
  rope_base: meta("llama.rope.freq_base", 10000)
context: 64
step_tokens: 16
prologue:
  - x = embedding(@"token_embd.weight", tokens)
block:
  - h = rms_norm(x, @"blk.{i}.attn_norm.weight", eps = eps)
  - q = linear(h, @"blk.{i}.attn_q.weight")
  - k = linear(h, @"blk.{i}.attn_k.weight")
  - v = linear(h, @"blk.{i}.attn_v.weight")
  - q = rope(q, positions, head_dim = head_dim, base = rope_base, style = "normal")
  - k = rope(k, positions, head_dim = head_dim, base = rope_base, style = "normal")
  - kc = kv_append(k)
  - vc = kv_append(v)
  - a = attention(q, kc, vc, positions, seq, n_heads = n_heads, n_kv_heads = n_kv_heads, head_dim = head_dim, scale = head_dim ** -0.5)
  - a = linear(a, @"blk.{i}.attn_output.weight")
  - x = add(x, a)
  - h = rms_norm(x, @"blk.{i}.ffn_norm.weight", eps = eps)
  - g = linear(h, @"blk.{i}.ffn_gate.weight")
  - u = linear(h, @"blk.{i}.ffn_up.weight")
  - g = silu(g)
  - m = mul(g, u)
  - f = linear(m, @"blk.{i}.ffn_down.weight")
  - x = add(x, f)
epilogue:
  - x = tail_rows(x)
  - x = rms_norm(x, @"output_norm.weight", eps = eps)
  - logits = linear(x, @"token_embd.weight")
outputs: [logits]
"""


def vocabulary(size):
    n_bytes = 256 if size.byte_fallback else 0
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(n_bytes)] + PIECES
    tokens += [chr(c) for c in range(ord("a"), ord("a") + size.vocab - len(tokens))]
    types = [TokenType.UNKNOWN, TokenType.CONTROL, TokenType.CONTROL] + [TokenType.BYTE] * n_bytes
    types += [TokenType.NORMAL] * (len(tokens) - len(types))
    fixed = 3 + n_bytes
    scores = [0.0] * fixed + [-float(i) for i in range(len(tokens) - fixed)]
    return tokens, scores, types


def weights(rng, size):
    d, head_dim = size.d_model, size.d_model // N_HEADS

    def mat(rows, cols):
        return (rng.standard_normal((rows, cols)) / np.sqrt(cols)).astype(np.float32)

    out = {"token_embd.weight": mat(size.vocab, d), "output_norm.weight": np.ones(d, np.float32)}
    for i in range(N_LAYERS):
        out[f"blk.{i}.attn_norm.weight"] = np.ones(d, np.float32)
        out[f"blk.{i}.attn_q.weight"] = mat(d, d)
        out[f"blk.{i}.attn_k.weight"] = mat(N_KV_HEADS * head_dim, d)
        out[f"blk.{i}.attn_v.weight"] = mat(N_KV_HEADS * head_dim, d)
        out[f"blk.{i}.attn_output.weight"] = mat(d, d)
        out[f"blk.{i}.ffn_norm.weight"] = np.ones(d, np.float32)
        out[f"blk.{i}.ffn_gate.weight"] = mat(size.ffn, d)
        out[f"blk.{i}.ffn_up.weight"] = mat(size.ffn, d)
        out[f"blk.{i}.ffn_down.weight"] = mat(d, size.ffn)
    return out


def finish(writer):
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def write_gguf(path, size, tensor_hook=lambda name, t: t, eps=1e-5, more_metadata=lambda writer: None):
    """`tensor_hook(name, array)` may replace a tensor (tests store one in another type):
    by an array, or by (uint8 rows of blocks, GGMLQuantizationType) for a ggml type numpy
    has no dtype for. `eps` is the stored RMS norm epsilon (tests store a NaN).
    `more_metadata(writer)` may add keys."""
    tokens, scores, types = vocabulary(size)
    w = GGUFWriter(path, "llama")
    w.add_block_count(N_LAYERS)
    w.add_context_length(64)
    w.add_embedding_length(size.d_model)
    w.add_feed_forward_length(size.ffn)
    w.add_head_count(N_HEADS)
    w.add_head_count_kv(N_KV_HEADS)
    w.add_layer_norm_rms_eps(eps)
    w.add_rope_freq_base(10000.0)
    w.add_tokenizer_model("llama")
    w.add_token_list(tokens)
    w.add_token_scores(scores)
    w.add_token_types(types)
    w.add_unk_token_id(0)
    w.add_bos_token_id(1)
    w.add_eos_token_id(2)
    more_metadata(w)
    for name, t in weights(np.random.default_rng(7), size).items():
        t = tensor_hook(name, t)
        if isinstance(t, tuple):
            w.add_tensor(name, t[0], raw_dtype=t[1])
        else:
            w.add_tensor(name, t)
    finish(w)


def main(outdir, micro=False):
    os.makedirs(outdir, exist_ok=True)
    write_gguf(os.path.join(outdir, "tiny.gguf"), MICRO if micro else TINY)
    with open(os.path.join(outdir, "tiny.yaml"), "w") as f:
        f.write(YAML)


if __name__ == "__main__":
    main(sys.argv[1], "--micro" in sys.argv[2:])
