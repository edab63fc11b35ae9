#!/usr/bin/env python3
"""Writes a small llama GGUF whose weights are stored in every ggml type lmc gained for
GGUF files, one type per weight, for the end-to-end check that such a model compiles and
matches the reference (verify_logits.py --model typed):

  make_typed_model.py <outdir>
      typed.gguf  tests/badinput/make_tiny_model.py's 2-layer llama widened to d_model 256
                  and FFN 512 (the K- and i-quants pack rows of 256), with the weights below

The quantized weights are random blocks under one scale per tensor, chosen so that the
values have the rms of the tiny model's f32 weights (tests/reference/random_blocks.py);
the norms, all ones, are stored as integers and F64. The file also carries Llama 3.1's
per-pair RoPE divisors (rope_freqs.weight, as llama.cpp's converter computes them from a
llama3 rope_scaling; an original context of 16 puts every band within the test's
positions). models/llama.yaml reads the file.
"""
import os
import sys

import numpy as np
from gguf import GGMLQuantizationType as Q

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "badinput"))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "reference"))
import convert_to_gguf  # noqa: E402
import make_tiny_model  # noqa: E402
import random_blocks  # noqa: E402

WIDE = make_tiny_model.Size(d_model=256, ffn=512, vocab=300, byte_fallback=True)

TYPES = {
    "token_embd.weight": Q.IQ4_XS,
    "blk.0.attn_q.weight": Q.Q2_K, "blk.0.attn_k.weight": Q.Q3_K, "blk.0.attn_v.weight": Q.IQ2_XXS,
    "blk.0.attn_output.weight": Q.IQ2_XS, "blk.0.ffn_gate.weight": Q.IQ2_S,
    "blk.0.ffn_up.weight": Q.IQ3_XXS, "blk.0.ffn_down.weight": Q.IQ3_S,
    "blk.1.attn_q.weight": Q.IQ1_S, "blk.1.attn_k.weight": Q.IQ1_M, "blk.1.attn_v.weight": Q.IQ4_NL,
    "blk.1.attn_output.weight": Q.TQ1_0, "blk.1.ffn_gate.weight": Q.TQ2_0,
    "blk.1.ffn_up.weight": Q.MXFP4, "blk.1.ffn_down.weight": Q.NVFP4,
    "blk.0.attn_norm.weight": np.int8, "blk.0.ffn_norm.weight": np.int16,
    "blk.1.attn_norm.weight": np.int32, "blk.1.ffn_norm.weight": np.int64,
    "output_norm.weight": np.float64,
}


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    rng = np.random.default_rng(11)

    def retype(name, t):
        kind = TYPES[name]
        if not isinstance(kind, Q):
            return t.astype(kind)
        rows, cols = t.shape
        return random_blocks.random_weight(kind, rows, cols, float(np.sqrt(np.mean(t ** 2))), rng), kind
    def tokenizer_flags(w):
        # SentencePiece's BOS and space prefix, stated: the reference tokenizer does not
        # assume them as llama.cpp (and lmc) do when the keys are absent.
        w.add_add_bos_token(True)
        w.add_add_space_prefix(True)
        w.add_tensor("rope_freqs.weight", convert_to_gguf.llama3_rope_freqs(
            WIDE.d_model // make_tiny_model.N_HEADS, base=10000.0, factor=8.0, low=1.0, high=4.0, original_context=16))
    make_tiny_model.write_gguf(os.path.join(outdir, "typed.gguf"), WIDE, retype, more_metadata=tokenizer_flags)


if __name__ == "__main__":
    main(sys.argv[1])
