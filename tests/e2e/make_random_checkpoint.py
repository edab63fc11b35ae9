#!/usr/bin/env python3
"""Writes a Hugging Face style checkpoint with random weights at a real model's shapes,
for checking lmc against the numpy reference on architectures whose real weights are not
installed: GPT-2 124M (F32), Gemma 3 1B (BF16), and the per-layer shapes of Qwen2.5 0.5B,
Qwen3 0.6B, Qwen3-30B-A3B, Qwen1.5-MoE-A2.7B, OLMoE-1B-7B and Mixtral 8x7B (mixtures of
experts), Mistral 7B, Phi-3 mini and Gemma 2 2B (BF16) with fewer layers; the Gemma, Qwen and
OLMoE ones with a 32768-token vocabulary (checkpoint_configs.SMALL_VOCAB).

  make_random_checkpoint.py {gpt2,gemma3-1b,gemma2-2b,qwen2,qwen3,qwen3moe,qwen2moe,olmoe,mistral,mixtral,llama3,
                             llama-dynamic,phi3,phi4-mini} OUTDIR [--seed N] [--layers N]

OUTDIR receives model.safetensors, config.json, tokenizer.json and tokenizer_config.json.
The configs are checkpoint_configs.py's, the weights checkpoint_weights.py's and the
tokenizers checkpoint_tokenizers.py's (a small BPE learnt from a short text, padded with
filler tokens to the vocabulary size).

A finished directory holds a stamp naming what it was made from; when the stamp matches,
the script does nothing, so a build directory generates each checkpoint once.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checkpoint_configs import (GEMMA2_2B, GEMMA3_1B, GPT2, LLAMA3_2_1B, LLAMA_DYNAMIC, MISTRAL_7B,  # noqa: E402
                                MIXTRAL_8X7B, OLMOE_1B_7B, PHI3_MINI, PHI4_MINI, QWEN1_5_MOE_A2_7B, QWEN2_5_0_5B,
                                QWEN3_0_6B, QWEN3_30B_A3B)
from checkpoint_tokenizers import (PHI3_ADDED, gemma_tokenizer, gpt2_tokenizer, llama_tokenizer,  # noqa: E402
                                   qwen_tokenizer)
from checkpoint_weights import gemma3_tensors, gpt2_tensors, llama_like_tensors, write_safetensors  # noqa: E402

STAMP = ".complete"
VERSION = 9  # bump when the output changes, so stale directories are regenerated

KINDS = {"gpt2": (GPT2, gpt2_tensors, "F32", gpt2_tokenizer),
         "gemma3-1b": (GEMMA3_1B, gemma3_tensors, "BF16", gemma_tokenizer),
         "gemma2-2b": (GEMMA2_2B, gemma3_tensors, "BF16", gemma_tokenizer),
         "qwen2": (QWEN2_5_0_5B, llama_like_tensors, "BF16", qwen_tokenizer),
         "qwen3": (QWEN3_0_6B, llama_like_tensors, "BF16", qwen_tokenizer),
         "qwen3moe": (QWEN3_30B_A3B, llama_like_tensors, "BF16", qwen_tokenizer),
         "qwen2moe": (QWEN1_5_MOE_A2_7B, llama_like_tensors, "BF16", qwen_tokenizer),
         "olmoe": (OLMOE_1B_7B, llama_like_tensors, "BF16", qwen_tokenizer),
         "mistral": (MISTRAL_7B, llama_like_tensors, "BF16", llama_tokenizer),
         "mixtral": (MIXTRAL_8X7B, llama_like_tensors, "BF16", llama_tokenizer),
         "llama3": (LLAMA3_2_1B, llama_like_tensors, "BF16", llama_tokenizer),
         "llama-dynamic": (LLAMA_DYNAMIC, llama_like_tensors, "BF16", llama_tokenizer),
         # Phi-3's vocabulary: 32000 SentencePiece tokens, then its chat tokens up to 32064 rows.
         "phi3": (PHI3_MINI, llama_like_tensors, "BF16",
                  lambda n: llama_tokenizer(32000 + len(PHI3_ADDED), PHI3_ADDED)),
         # Here the tokens fill all 32064 rows: a random head may rank a padding row first,
         # which has no text to print.
         "phi4-mini": (PHI4_MINI, llama_like_tensors, "BF16", lambda n: llama_tokenizer(n, PHI3_ADDED))}


def write_checkpoint(outdir, kind, config, seed):
    """A checkpoint of `kind` (a KINDS key) with `config`'s shapes: tests give small ones."""
    _, tensors, dtype, tokenizer = KINDS[kind]
    os.makedirs(outdir, exist_ok=True)
    write_safetensors(os.path.join(outdir, "model.safetensors"), tensors(config), dtype, np.random.default_rng(seed))
    tok, tok_config = tokenizer(config["vocab_size"])
    for name, value in (("config.json", config), ("tokenizer.json", tok), ("tokenizer_config.json", tok_config)):
        with open(os.path.join(outdir, name), "w", encoding="utf-8") as f:
            json.dump(value, f, ensure_ascii=False, indent=1 if name != "tokenizer.json" else None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("kind", choices=sorted(KINDS))
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--layers", type=int, help="fewer layers than the model's (each keeps its real shapes)")
    args = ap.parse_args()
    config, _, dtype, _ = KINDS[args.kind]
    if args.layers:
        config = dict(config, **{"n_layer" if "n_layer" in config else "num_hidden_layers": args.layers})
    stamp = json.dumps({"kind": args.kind, "seed": args.seed, "version": VERSION, "layers": args.layers})
    stamp_path = os.path.join(args.outdir, STAMP)
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
        print(f"{args.outdir}: up to date")
        return
    if os.path.exists(stamp_path):
        os.remove(stamp_path)
    write_checkpoint(args.outdir, args.kind, config, args.seed)
    with open(stamp_path, "w") as f:
        f.write(stamp)
    print(f"{args.outdir}: wrote {args.kind} ({dtype}) with seed {args.seed}")


if __name__ == "__main__":
    sys.exit(main())
