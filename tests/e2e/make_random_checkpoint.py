#!/usr/bin/env python3
"""Writes a Hugging Face style checkpoint with random weights at a real model's shapes,
for checking lmc against the numpy reference on architectures whose real weights are not
installed: GPT-2 124M (F32), Gemma 3 1B (BF16), and the per-layer shapes of Qwen2.5 0.5B,
Qwen3 0.6B, Qwen3-30B-A3B, Qwen1.5-MoE-A2.7B, OLMoE-1B-7B and Mixtral 8x7B (mixtures of
experts), Mistral 7B, Phi-3 mini and Gemma 2 2B (BF16) with fewer layers; the Gemma, Qwen and
OLMoE ones with a 32768-token vocabulary (SMALL_VOCAB below).

  make_random_checkpoint.py {gpt2,gemma3-1b,gemma2-2b,qwen2,qwen3,qwen3moe,qwen2moe,olmoe,mistral,mixtral,llama3,
                             llama-dynamic,phi3,phi4-mini} OUTDIR [--seed N] [--layers N]

OUTDIR receives model.safetensors, config.json, tokenizer.json and tokenizer_config.json.
The tokenizer is a small BPE learnt from the text below (byte-level for GPT-2, Qwen and
OLMoE, with Qwen 2's pre-tokenizer and NFC for Qwen and OLMoE; SentencePiece-style with byte
fallback for Gemma, Mistral, Mixtral and Phi-3) padded with filler tokens to the vocabulary
size: the real one for GPT-2, Mistral, Mixtral and Phi-3, 32768 for Gemma, Qwen and OLMoE
(SMALL_VOCAB below).

A finished directory holds a stamp naming what it was made from; when the stamp matches,
the script does nothing, so a build directory generates each checkpoint once.

Gemma 3 1B keeps its shapes but gets a sliding window of 16 instead of 512, so the test's
few dozen positions cross the window on the five local layers of every six, and the linear
RoPE scaling of Gemma 3 4B and larger (factor 8 on the global layers); Mistral and
Phi-3 (windows of 4096 and 2047 on every layer) get 16 too, and so do Gemma 2's even layers.
Gemma 2 keeps its real final logit soft-cap (30: the logit of a token's own embedding row
reaches ~90 on random weights, so it binds hard) but gets an attention soft-cap of 5 instead
of 50, which random scores of a few units would barely reach: without either cap the
test's logits move by far more than its tolerance (0.39 and 61 at most). The Llama-like families keep
every matrix at its real shape but have 1 (Mistral 7B, Phi-3 mini: ~0.5 GB of BF16 each)
or 2 (Qwen) layers instead of 24-32, which keeps the end-to-end tests within CI's budget:
the layers are identical in kind, so more of them checks nothing new. Qwen3-30B-A3B has 1
of its 48 layers, each expert in HF's own matrices (~1.2 GB of BF16 for its 128 experts),
Qwen1.5-MoE-A2.7B 1 of its 24 (~1.0 GB for its 60 and ~0.07 GB for its shared expert),
OLMoE-1B-7B 1 of its 16 (~0.8 GB for its 64), and Mixtral 8x7B 1 of its 32 (~2.8 GB for its 8,
~3.4 GB in all with Mistral's embedding and head), which has no sliding window.
"""
import argparse
import json
import os
import struct
import sys
from collections import Counter

import numpy as np

STAMP = ".complete"
VERSION = 9  # bump when the output changes, so stale directories are regenerated

CORPUS = """The quick brown fox jumps over the lazy dog. A compiler turns a model into kernels.
The capital of France is Paris, and the capital of Italy is Rome. Numbers like 12345 and 678
are written with digits. Language models predict the next token from the tokens before it.
Every layer reads the residual stream, normalizes it, attends to the past and adds the result.
She sells sea shells by the sea shore; the shells she sells are surely sea shells."""

GPT2 = dict(model_type="gpt2", architectures=["GPT2LMHeadModel"], n_embd=768, n_layer=12, n_head=12,
            n_positions=1024, n_ctx=1024, vocab_size=50257, layer_norm_epsilon=1e-5,
            activation_function="gelu_new", bos_token_id=50256, eos_token_id=50256,
            tie_word_embeddings=True)

# The vocabulary of the Gemma and Qwen checkpoints: 32768 rows instead of their 150-262k. Every
# layer keeps its real shapes; the embedding and the output head keep the hidden size and
# their kernels, only with fewer rows, which decide nothing a real file does not: Gemma 3
# 270M's real 262144-row head runs in the same suite. The real rows were 60-80% of these
# checkpoints' weights and most of the end-to-end suite's time.
SMALL_VOCAB = 32768
# Qwen's regular tokens; its specials follow, and the embedding has 293 rows more (151643 of
# 151936 in the real models).
QWEN_BASE_VOCAB = SMALL_VOCAB - 293

GEMMA3_1B = dict(model_type="gemma3_text", architectures=["Gemma3ForCausalLM"], hidden_size=1152,
                 num_hidden_layers=26, num_attention_heads=4, num_key_value_heads=1, head_dim=256,
                 intermediate_size=6912, rms_norm_eps=1e-6, sliding_window=16, sliding_window_pattern=6,
                 rope_theta=1000000.0, rope_local_base_freq=10000.0,
                 # Gemma 3 4B's and larger's: the global layers' positions divided by 8.
                 rope_scaling={"rope_type": "linear", "factor": 8.0},
                 query_pre_attn_scalar=256, max_position_embeddings=32768, vocab_size=SMALL_VOCAB,
                 hidden_activation="gelu_pytorch_tanh", attn_logit_softcapping=None,
                 final_logit_softcapping=None, bos_token_id=2, eos_token_id=1, pad_token_id=0,
                 tie_word_embeddings=True, torch_dtype="bfloat16")

# Gemma 2 2B, its attention soft-cap 5 instead of 50 (see the module doc).
GEMMA2_2B = dict(model_type="gemma2", architectures=["Gemma2ForCausalLM"], hidden_size=2304,
                 num_hidden_layers=26, num_attention_heads=8, num_key_value_heads=4, head_dim=256,
                 intermediate_size=9216, rms_norm_eps=1e-6, sliding_window=16, rope_theta=10000.0,
                 query_pre_attn_scalar=256, max_position_embeddings=8192, vocab_size=SMALL_VOCAB,
                 hidden_act="gelu_pytorch_tanh", hidden_activation="gelu_pytorch_tanh",
                 attn_logit_softcapping=5.0, final_logit_softcapping=30.0,
                 attention_bias=False, cache_implementation="hybrid", bos_token_id=2, eos_token_id=1,
                 pad_token_id=0, tie_word_embeddings=True, torch_dtype="bfloat16")


QWEN2_5_0_5B = dict(model_type="qwen2", architectures=["Qwen2ForCausalLM"], hidden_size=896,
                    num_hidden_layers=2, num_attention_heads=14, num_key_value_heads=2, intermediate_size=4864,
                    rms_norm_eps=1e-6, rope_theta=1000000.0, use_sliding_window=False,
                    # Qwen2.5's long-context setting (its model cards: YaRN, factor 4).
                    rope_scaling={"type": "yarn", "factor": 4.0, "original_max_position_embeddings": 32768},
                    sliding_window=32768, max_window_layers=21, max_position_embeddings=32768,
                    vocab_size=SMALL_VOCAB, hidden_act="silu", bos_token_id=QWEN_BASE_VOCAB,
                    eos_token_id=QWEN_BASE_VOCAB + 2,
                    tie_word_embeddings=True, torch_dtype="bfloat16")

QWEN3_0_6B = dict(model_type="qwen3", architectures=["Qwen3ForCausalLM"], hidden_size=1024,
                  num_hidden_layers=2, num_attention_heads=16, num_key_value_heads=8, head_dim=128,
                  intermediate_size=3072, rms_norm_eps=1e-6, rope_theta=1000000.0, rope_scaling=None,
                  attention_bias=False, use_sliding_window=False, sliding_window=None, max_window_layers=28,
                  max_position_embeddings=40960, vocab_size=SMALL_VOCAB, hidden_act="silu",
                  bos_token_id=QWEN_BASE_VOCAB, eos_token_id=QWEN_BASE_VOCAB + 2, tie_word_embeddings=True,
                  torch_dtype="bfloat16")

# Qwen3-30B-A3B: Qwen 3's attention, and in place of the MLP 128 experts of which each token
# takes the 8 its router scores highest, their weights renormalized to sum 1 (norm_topk_prob).
QWEN3_30B_A3B = dict(model_type="qwen3_moe", architectures=["Qwen3MoeForCausalLM"], hidden_size=2048,
                     num_hidden_layers=1, num_attention_heads=32, num_key_value_heads=4, head_dim=128,
                     intermediate_size=6144, moe_intermediate_size=768, num_experts=128, num_experts_per_tok=8,
                     norm_topk_prob=True, decoder_sparse_step=1, mlp_only_layers=[], rms_norm_eps=1e-6,
                     rope_theta=1000000.0, rope_scaling=None, attention_bias=False, use_sliding_window=False,
                     sliding_window=None, max_window_layers=48, max_position_embeddings=40960,
                     vocab_size=SMALL_VOCAB, hidden_act="silu", output_router_logits=False,
                     router_aux_loss_coef=0.001, bos_token_id=QWEN_BASE_VOCAB, eos_token_id=QWEN_BASE_VOCAB + 2,
                     tie_word_embeddings=False, torch_dtype="bfloat16")

# Qwen1.5-MoE-A2.7B (model_type qwen2_moe, also Qwen2-57B-A14B's): Qwen 2's attention (q/k/v
# biases, no q/k norm), and in place of the MLP 60 experts of moe_intermediate_size of which
# each token takes the 4 its router scores highest, their probabilities kept as they are
# (norm_topk_prob False), plus one shared expert every token takes, a gated MLP of
# shared_expert_intermediate_size scaled per token by sigmoid(shared_expert_gate(h)). Its
# sliding-window keys as Qwen2.5's (off: use_sliding_window False). transformers' default
# decoder_sparse_step and mlp_only_layers, spelt out: every layer sparse.
QWEN1_5_MOE_A2_7B = dict(model_type="qwen2_moe", architectures=["Qwen2MoeForCausalLM"], hidden_size=2048,
                         num_hidden_layers=1, num_attention_heads=16, num_key_value_heads=16,
                         intermediate_size=5632, moe_intermediate_size=1408, shared_expert_intermediate_size=5632,
                         num_experts=60, num_experts_per_tok=4, norm_topk_prob=False, decoder_sparse_step=1,
                         mlp_only_layers=[], rms_norm_eps=1e-6, rope_theta=1000000.0, use_sliding_window=False,
                         sliding_window=32768, max_window_layers=21, max_position_embeddings=8192,
                         vocab_size=SMALL_VOCAB, hidden_act="silu", output_router_logits=False,
                         router_aux_loss_coef=0.001, bos_token_id=QWEN_BASE_VOCAB, eos_token_id=QWEN_BASE_VOCAB + 2,
                         tie_word_embeddings=False, torch_dtype="bfloat16")

# OLMoE-1B-7B: Llama's attention with an RMSNorm over the whole of q and of k (q_norm and k_norm
# as wide as all heads, not one head), and 64 experts of intermediate_size in place of the MLP,
# of which each token takes 8, their router probabilities kept as they are (norm_topk_prob
# False). Qwen's tokenizer in place of OLMoE's GPT-NeoX one, which decides nothing here.
OLMOE_1B_7B = dict(model_type="olmoe", architectures=["OlmoeForCausalLM"], hidden_size=2048, num_hidden_layers=1,
                   num_attention_heads=16, num_key_value_heads=16, intermediate_size=1024, num_experts=64,
                   num_experts_per_tok=8, norm_topk_prob=False, rms_norm_eps=1e-5, rope_theta=10000.0,
                   rope_scaling=None, attention_bias=False, clip_qkv=None, max_position_embeddings=4096,
                   vocab_size=SMALL_VOCAB, hidden_act="silu", output_router_logits=False,
                   router_aux_loss_coef=0.01, bos_token_id=QWEN_BASE_VOCAB, eos_token_id=QWEN_BASE_VOCAB + 2,
                   pad_token_id=QWEN_BASE_VOCAB, tie_word_embeddings=False, torch_dtype="bfloat16")

MISTRAL_7B = dict(model_type="mistral", architectures=["MistralForCausalLM"], hidden_size=4096,
                  num_hidden_layers=1, num_attention_heads=32, num_key_value_heads=8, intermediate_size=14336,
                  rms_norm_eps=1e-5, rope_theta=10000.0, sliding_window=16, max_position_embeddings=32768,
                  vocab_size=32000, hidden_act="silu", bos_token_id=1, eos_token_id=2,
                  tie_word_embeddings=False, torch_dtype="bfloat16")

# Mixtral 8x7B: Mistral 7B's attention without its sliding window, and in place of the MLP 8
# experts of intermediate_size (w1 the gate, w3 the up, w2 the down matrix) of which each token
# takes the 2 its router scores highest, their weights always renormalized to sum 1 (transformers'
# MixtralSparseMoeBlock has no norm_topk_prob to say otherwise). Its structure (8 experts, 2 per
# token, head_dim 128, 4 query heads per key head) at a quarter of its width: one layer at full
# width is 3.4 GB and the reference of its Q8_0 pipeline takes 16 GB of memory, too much beside
# the other tests; the expert path is Qwen3-MoE's and OLMoE's, which run at their real widths.
MIXTRAL_8X7B = dict(model_type="mixtral", architectures=["MixtralForCausalLM"], hidden_size=1024,
                    num_hidden_layers=1, num_attention_heads=8, num_key_value_heads=2, intermediate_size=3584,
                    num_local_experts=8, num_experts_per_tok=2, rms_norm_eps=1e-5, rope_theta=1000000.0,
                    sliding_window=None, max_position_embeddings=32768, vocab_size=32000, hidden_act="silu",
                    router_aux_loss_coef=0.02, output_router_logits=False, bos_token_id=1, eos_token_id=2,
                    tie_word_embeddings=False, torch_dtype="bfloat16")

# Llama 3.2 1B, 2 of its 16 layers, with its llama3 rope scaling.
LLAMA3_2_1B = dict(model_type="llama", architectures=["LlamaForCausalLM"], hidden_size=2048, num_hidden_layers=2,
                   num_attention_heads=32, num_key_value_heads=8, head_dim=64, intermediate_size=8192,
                   rms_norm_eps=1e-5, rope_theta=500000.0,
                   rope_scaling={"rope_type": "llama3", "factor": 32.0, "low_freq_factor": 1.0,
                                 "high_freq_factor": 4.0, "original_max_position_embeddings": 8192},
                   max_position_embeddings=131072, vocab_size=SMALL_VOCAB, hidden_act="silu",
                   attention_bias=False, mlp_bias=False, bos_token_id=1, eos_token_id=2,
                   tie_word_embeddings=True, torch_dtype="bfloat16")

# A Llama 2 style fine-tune that stretches its context by dynamic NTK scaling (rope_scaling
# {"type": "dynamic", "factor"}), at Llama 3.2 1B's layer shapes (2 layers) with an original
# context of 16 positions (128 with the factor), so that the test's prompt and generated
# tokens run past it and each later row turns by its own grown base.
LLAMA_DYNAMIC = dict(LLAMA3_2_1B, rope_theta=10000.0, rope_scaling={"type": "dynamic", "factor": 8.0},
                     max_position_embeddings=16)

PHI3_MINI = dict(model_type="phi3", architectures=["Phi3ForCausalLM"], hidden_size=3072, num_hidden_layers=1,
                 num_attention_heads=32, num_key_value_heads=32, intermediate_size=8192, rms_norm_eps=1e-5,
                 rope_theta=10000.0, rope_scaling=None, sliding_window=16, max_position_embeddings=4096,
                 original_max_position_embeddings=4096, vocab_size=32064, hidden_act="silu", bos_token_id=1,
                 eos_token_id=32000, pad_token_id=32000, tie_word_embeddings=False, torch_dtype="bfloat16")

# Phi-4-mini's attention and feed-forward (24 heads of 128, 8 KV heads, RoPE on the first
# 96 features of a head: partial_rotary_factor 0.75) and its LongRoPE (128k positions grown
# from 4096: per-pair long and short divisors of the 48 turning pairs' frequencies, growing
# toward the slow pairs as Phi-4-mini's do), with Phi-3's vocabulary: its own 200k rows
# would add 1.2 GB to the test, and decide nothing about the rotary part.
PHI4_MINI = dict(PHI3_MINI, num_attention_heads=24, num_key_value_heads=8, head_dim=128,
                 partial_rotary_factor=0.75, max_position_embeddings=131072,
                 rope_scaling={"type": "longrope",
                               "long_factor": [round(1.0 + 60.0 * (i / 47) ** 3, 4) for i in range(48)],
                               "short_factor": [round(1.0 + 0.05 * i, 4) for i in range(48)]})


# ---------------------------------------------------------------- weights

def gpt2_tensors(c):
    """(name, shape, std, mean) in file order; Conv1D weights are [in, out]."""
    d, f = c["n_embd"], 4 * c["n_embd"]
    resid = 0.02
    out = [("wte.weight", (c["vocab_size"], d), 0.02, 0), ("wpe.weight", (c["n_positions"], d), 0.01, 0)]
    for i in range(c["n_layer"]):
        h = f"h.{i}."
        out += [(h + "ln_1.weight", (d,), 0.1, 1), (h + "ln_1.bias", (d,), 0.02, 0),
                (h + "attn.c_attn.weight", (d, 3 * d), 0.02, 0), (h + "attn.c_attn.bias", (3 * d,), 0.02, 0),
                (h + "attn.c_proj.weight", (d, d), resid, 0), (h + "attn.c_proj.bias", (d,), 0.02, 0),
                (h + "ln_2.weight", (d,), 0.1, 1), (h + "ln_2.bias", (d,), 0.02, 0),
                (h + "mlp.c_fc.weight", (d, f), 0.02, 0), (h + "mlp.c_fc.bias", (f,), 0.02, 0),
                (h + "mlp.c_proj.weight", (f, d), resid, 0), (h + "mlp.c_proj.bias", (d,), 0.02, 0)]
    return out + [("ln_f.weight", (d,), 0.1, 1), ("ln_f.bias", (d,), 0.02, 0)]


def gemma3_tensors(c):
    """Norm weights are HF's w of (1 + w), hence mean 0. Gemma 2's layer is Gemma 3's
    without the per-head q/k norms."""
    d, f, hd = c["hidden_size"], c["intermediate_size"], c["head_dim"]
    q, kv = c["num_attention_heads"] * hd, c["num_key_value_heads"] * hd
    out = [("model.embed_tokens.weight", (c["vocab_size"], d), 0.05, 0)]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out += [(p + "input_layernorm.weight", (d,), 0.1, 0),
                (p + "self_attn.q_proj.weight", (q, d), 0.02, 0), (p + "self_attn.k_proj.weight", (kv, d), 0.02, 0),
                (p + "self_attn.v_proj.weight", (kv, d), 0.02, 0), (p + "self_attn.o_proj.weight", (d, q), 0.02, 0)]
        if c["model_type"] != "gemma2":
            out += [(p + "self_attn.q_norm.weight", (hd,), 0.1, 0), (p + "self_attn.k_norm.weight", (hd,), 0.1, 0)]
        out += [(p + "post_attention_layernorm.weight", (d,), 0.1, 0),
                (p + "pre_feedforward_layernorm.weight", (d,), 0.1, 0),
                (p + "mlp.gate_proj.weight", (f, d), 0.02, 0), (p + "mlp.up_proj.weight", (f, d), 0.02, 0),
                (p + "mlp.down_proj.weight", (d, f), 0.02, 0),
                (p + "post_feedforward_layernorm.weight", (d,), 0.1, 0)]
    return out + [("model.norm.weight", (d,), 0.1, 0)]


def llama_like_tensors(c):
    """Llama's layer in HF's names, with what each family adds: Qwen 2's q/k/v biases
    (`qkv_bias`, Qwen2-MoE's too), Qwen 3's per-head q/k norms (`qk_norm`), OLMoE's over all
    heads, Phi-3's fused qkv_proj and gate_up_proj (`fused`), Qwen3-MoE's, Qwen2-MoE's, OLMoE's
    and Mixtral's experts in place of the MLP. Norm weights multiply directly, hence mean 1."""
    d, f = c["hidden_size"], c["intermediate_size"]
    hd = c.get("head_dim") or d // c["num_attention_heads"]
    q, kv = c["num_attention_heads"] * hd, c["num_key_value_heads"] * hd
    kind = c["model_type"]
    out = [("model.embed_tokens.weight", (c["vocab_size"], d), 0.05, 0)]
    for i in range(c["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out.append((p + "input_layernorm.weight", (d,), 0.1, 1))
        if kind == "phi3":
            out.append((p + "self_attn.qkv_proj.weight", (q + 2 * kv, d), 0.02, 0))
        else:
            for name, rows in (("q", q), ("k", kv), ("v", kv)):
                out.append((p + f"self_attn.{name}_proj.weight", (rows, d), 0.02, 0))
                if kind in ("qwen2", "qwen2_moe"):
                    out.append((p + f"self_attn.{name}_proj.bias", (rows,), 0.05, 0))
        if kind in ("qwen3", "qwen3_moe"):
            out += [(p + "self_attn.q_norm.weight", (hd,), 0.1, 1), (p + "self_attn.k_norm.weight", (hd,), 0.1, 1)]
        elif kind == "olmoe":
            out += [(p + "self_attn.q_norm.weight", (q,), 0.1, 1), (p + "self_attn.k_norm.weight", (kv,), 0.1, 1)]
        out += [(p + "self_attn.o_proj.weight", (d, q), 0.02, 0), (p + "post_attention_layernorm.weight", (d,), 0.1, 1)]
        if kind in MOE_NAMES:
            out += expert_tensors(c, p)
        elif kind == "phi3":
            out += [(p + "mlp.gate_up_proj.weight", (2 * f, d), 0.02, 0), (p + "mlp.down_proj.weight", (d, f), 0.02, 0)]
        else:
            out += [(p + "mlp.gate_proj.weight", (f, d), 0.02, 0), (p + "mlp.up_proj.weight", (f, d), 0.02, 0),
                    (p + "mlp.down_proj.weight", (d, f), 0.02, 0)]
    out.append(("model.norm.weight", (d,), 0.1, 1))
    if not c["tie_word_embeddings"]:
        out.append(("lm_head.weight", (c["vocab_size"], d), 0.02, 0))
    return out


# A mixture of experts' HF names, by model_type: the module holding the router (gate) and the
# experts, and an expert's gate, up and down matrices.
MOE_NAMES = {"qwen3_moe": ("mlp", "gate_proj", "up_proj", "down_proj"),
             "qwen2_moe": ("mlp", "gate_proj", "up_proj", "down_proj"),
             "olmoe": ("mlp", "gate_proj", "up_proj", "down_proj"),
             "mixtral": ("block_sparse_moe", "w1", "w3", "w2")}


def expert_tensors(c, p):
    """Qwen3-MoE's, Qwen2-MoE's, OLMoE's and Mixtral's feed-forward in HF's names
    (Qwen3MoeSparseMoeBlock, Qwen2MoeSparseMoeBlock, OlmoeSparseMoeBlock, MixtralSparseMoeBlock):
    the router, then each expert's gated MLP, moe_intermediate_size wide (intermediate_size in
    OLMoE and Mixtral, which have no dense MLP to tell apart). The router's std cannot make
    near-ties between the 8th and 9th expert rarer (rounding noise in its logits grows with them), but it decides what such a swap costs against what the test sees: at 0.1
    (logits of std ~4.5 at 2048 features) a token's 8 weights fall from ~0.6 to ~0.01, so every
    slot and the renormalization move the output and a swap little; at 0.02 the 8th weighs
    ~0.08, at 0.5 the first ~0.997, which hides the other slots and the renormalization. The
    same std gives OLMoE's 8 of 64 a sum of ~0.99 (0.93 for a tenth of the tokens): a
    renormalization its router does not do would move the output by ~1%, plain in F32 logits.
    Mixtral's 2 of 8 at 4096 features (logits of std ~6.4): the second weighs ~0.13 on average
    and the two sum to ~0.96, so the second slot and the renormalization show too. Qwen2-MoE's
    4 of 60 sum to ~0.92 (0.80 for a tenth of the tokens), the 4th weighing ~0.04: a
    renormalization it does not do would move the output by ~8%.

    Qwen2-MoE then has its shared expert (a gated MLP shared_expert_intermediate_size wide, at
    the experts' std) and the shared expert's gate [1, d]: at std 0.02 its logit has a std of
    ~0.9 over the tokens, so sigmoid spreads over ~0.2-0.8 (5th to 95th percentile), neither
    a constant a missing gate would match nor saturated. At 4x an expert's width and ~0.5 of
    weight, the shared expert's output is of the order of the experts' sum: both show."""
    block, gate, up, down = MOE_NAMES[c["model_type"]]
    d, f = c["hidden_size"], c.get("moe_intermediate_size", c["intermediate_size"])
    n_experts = c.get("num_experts") or c["num_local_experts"]  # Mixtral's name for it
    out = [(f"{p}{block}.gate.weight", (n_experts, d), 0.1, 0)]
    for m in range(n_experts):
        e = f"{p}{block}.experts.{m}."
        out += [(e + gate + ".weight", (f, d), 0.02, 0), (e + up + ".weight", (f, d), 0.02, 0),
                (e + down + ".weight", (d, f), 0.02, 0)]
    if c.get("shared_expert_intermediate_size"):  # Qwen2-MoE's shared expert and its gate
        s, e = c["shared_expert_intermediate_size"], f"{p}{block}.shared_expert."
        out += [(e + gate + ".weight", (s, d), 0.02, 0), (e + up + ".weight", (s, d), 0.02, 0),
                (e + down + ".weight", (d, s), 0.02, 0), (f"{p}{block}.shared_expert_gate.weight", (1, d), 0.02, 0)]
    return out


def to_bf16_bits(x):
    """Round to nearest even, as torch's bfloat16 conversion does."""
    bits = x.astype(np.float32).view(np.uint32)
    return ((bits + np.uint32(0x7FFF) + ((bits >> 16) & np.uint32(1))) >> 16).astype(np.uint16)


def write_safetensors(path, specs, dtype, rng):
    """Streams one tensor at a time, so a 1B model never sits in memory whole."""
    size = 4 if dtype == "F32" else 2
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, shape, _, _ in specs:
        n = int(np.prod(shape)) * size
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text)
        for _, shape, std, mean in specs:
            for part in row_chunks(shape):
                x = rng.standard_normal(part, dtype=np.float32) * np.float32(std) + np.float32(mean)
                f.write((x if dtype == "F32" else to_bf16_bits(x)).tobytes())


def row_chunks(shape, values=1 << 24):
    """The shapes of consecutive row slices of about `values` values each."""
    if len(shape) == 1:
        return [shape]
    per = max(1, values // int(np.prod(shape[1:])))
    return [(min(per, shape[0] - r0),) + tuple(shape[1:]) for r0 in range(0, shape[0], per)]


# ---------------------------------------------------------------- tokenizers

def learn_merges(words, count):
    """Plain BPE training: repeatedly merge the most frequent adjacent pair."""
    seqs = Counter(tuple(w) for w in words)
    merges = []
    for _ in range(count):
        pairs = Counter()
        for seq, n in seqs.items():
            for a, b in zip(seq, seq[1:]):
                pairs[a, b] += n
        if not pairs:
            break
        (a, b), _ = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
        merges.append((a, b))
        merged = Counter()
        for seq, n in seqs.items():
            out, i = [], 0
            while i < len(seq):
                if i + 1 < len(seq) and seq[i] == a and seq[i + 1] == b:
                    out.append(a + b)
                    i += 2
                else:
                    out.append(seq[i])
                    i += 1
            merged[tuple(out)] += n
        seqs = merged
    return merges


def byte_unicode_map():
    """GPT-2's reversible byte -> printable character map."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    chars, extra = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + extra)
            extra += 1
    return chars


def fill_vocab(vocab, size):
    n = 0
    while len(vocab) < size:
        vocab.setdefault(f"<filler_{n}>", len(vocab))
        n += 1
    return vocab


def gpt2_tokenizer(vocab_size):
    import re
    chars = byte_unicode_map()
    # GPT-2's split, restricted to ASCII text (the corpus is ASCII).
    words = ["".join(chars[b] for b in w.encode())
             for w in re.findall(r"'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+", CORPUS)]
    merges = learn_merges(words, 300)
    vocab = {chars[b]: i for i, b in enumerate(range(256))}
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    fill_vocab(vocab, vocab_size - 1)
    eot = "<|endoftext|>"
    tok = {"version": "1.0", "truncation": None, "padding": None,
           "added_tokens": [{"id": vocab_size - 1, "content": eot, "single_word": False, "lstrip": False,
                             "rstrip": False, "normalized": True, "special": True}],
           "normalizer": None,
           "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True,
                             "use_regex": True},
           "post_processor": None,
           "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
           "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                     "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False,
                     "ignore_merges": False, "vocab": vocab, "merges": [[a, b] for a, b in merges]}}
    config = {"bos_token": eot, "eos_token": eot, "unk_token": eot, "add_bos_token": False}
    return tok, config


def gemma_tokenizer(vocab_size):
    mark = "\u2581"
    specials = ["<pad>", "<eos>", "<bos>", "<unk>"]
    vocab = {t: i for i, t in enumerate(specials)}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    text = CORPUS.replace("\n", " ").replace(" ", mark)
    words = [mark + w for w in text.split(mark) if w]
    for ch in sorted(set(text)):
        vocab.setdefault(ch, len(vocab))
    merges = learn_merges(words, 400)
    for a, b in merges:
        vocab.setdefault(a + b, len(vocab))
    fill_vocab(vocab, vocab_size)
    added = [{"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for i, t in enumerate(specials)]
    tok = {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
           "normalizer": {"type": "Replace", "pattern": {"String": " "}, "content": mark},
           "pre_tokenizer": None,
           "post_processor": {"type": "TemplateProcessing",
                              "single": [{"SpecialToken": {"id": "<bos>", "type_id": 0}},
                                         {"Sequence": {"id": "A", "type_id": 0}}],
                              "pair": [{"SpecialToken": {"id": "<bos>", "type_id": 0}},
                                       {"Sequence": {"id": "A", "type_id": 0}},
                                       {"Sequence": {"id": "B", "type_id": 1}}],
                              "special_tokens": {"<bos>": {"id": "<bos>", "ids": [2], "tokens": ["<bos>"]}}},
           "decoder": {"type": "Sequence", "decoders": [
               {"type": "Replace", "pattern": {"String": mark}, "content": " "},
               {"type": "ByteFallback"}, {"type": "Fuse"}]},
           "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                     "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True,
                     "ignore_merges": False, "vocab": vocab, "merges": [[a, b] for a, b in merges]}}
    config = {"bos_token": "<bos>", "eos_token": "<eos>", "pad_token": "<pad>", "unk_token": "<unk>",
              "add_bos_token": True}
    return tok, config


QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|"
                 r"\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN_SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def qwen_tokenizer(vocab_size):
    """Byte-level BPE with Qwen 2's published pipeline (NFC, its split, ByteLevel bytes)."""
    tok, _ = gpt2_tokenizer(min(QWEN_BASE_VOCAB, vocab_size - len(QWEN_SPECIALS)) + 1)
    base = len(tok["model"]["vocab"])
    tok["added_tokens"] = [{"id": base + n, "content": t, "single_word": False, "lstrip": False,
                            "rstrip": False, "normalized": False, "special": True}
                           for n, t in enumerate(QWEN_SPECIALS)]
    tok["normalizer"] = {"type": "NFC"}
    tok["pre_tokenizer"] = {"type": "Sequence", "pretokenizers": [
        {"type": "Split", "pattern": {"Regex": QWEN2_PATTERN}, "behavior": "Isolated", "invert": False},
        {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]}
    config = {"bos_token": None, "eos_token": "<|im_end|>", "pad_token": "<|endoftext|>", "add_bos_token": False,
              "chat_template": "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
                               "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
                               "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"}
    return tok, config


def spm_pieces():
    """SentencePiece-style pieces and scores learnt from the corpus: U+2581 for spaces,
    each merged piece scored by when it was learnt (earlier is better)."""
    mark = "\u2581"
    text = CORPUS.replace("\n", " ").replace(" ", mark)
    words = [mark + w for w in text.split(mark) if w]
    pieces = {ch: 0.0 for ch in sorted(set(mark + text))}
    for rank, (a, b) in enumerate(learn_merges(words, 400)):
        pieces.setdefault(a + b, -float(rank + 1))
    return pieces


def llama_tokenizer(vocab_size, added=()):
    """Llama 2's SentencePiece layout (<unk>, <s>, </s>, 256 byte tokens, pieces) as HF's
    converter writes it to tokenizer.json: merges derived from the piece scores, a space
    prepended to the text, BOS from the post-processor. `added` tokens follow the pieces."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference"))
    import tokenize_reference as tr
    tokens = ["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)]
    pieces = spm_pieces()
    tokens += list(pieces)
    base = vocab_size - len(added)
    tokens += [f"<filler_{n}>" for n in range(base - len(tokens))]
    scores = [0.0] * (3 + 256) + list(pieces.values()) + [-1e9] * (base - 3 - 256 - len(pieces))
    v = {"tokens": tokens, "scores": scores,
         "types": [tr.UNKNOWN, tr.CONTROL, tr.CONTROL] + [tr.BYTE] * 256 + [tr.NORMAL] * (base - 259)}
    merges = tr.derived_merges(v, tr.mergeable(v))
    specials = ["<unk>", "<s>", "</s>"] + list(added)
    ids = {t: i for i, t in enumerate(tokens)} | {t: base + n for n, t in enumerate(added)}
    mark = "\u2581"
    tok = {"version": "1.0", "truncation": None, "padding": None,
           "added_tokens": [{"id": ids[t], "content": t, "single_word": False, "lstrip": False, "rstrip": False,
                             "normalized": False, "special": True} for t in specials],
           "normalizer": {"type": "Sequence", "normalizers": [
               {"type": "Prepend", "prepend": mark}, {"type": "Replace", "pattern": {"String": " "}, "content": mark}]},
           "pre_tokenizer": None,
           "post_processor": {"type": "TemplateProcessing",
                              "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                         {"Sequence": {"id": "A", "type_id": 0}}],
                              "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}},
                                       {"Sequence": {"id": "A", "type_id": 0}},
                                       {"SpecialToken": {"id": "<s>", "type_id": 1}},
                                       {"Sequence": {"id": "B", "type_id": 1}}],
                              "special_tokens": {"<s>": {"id": "<s>", "ids": [1], "tokens": ["<s>"]}}},
           "decoder": {"type": "Sequence", "decoders": [
               {"type": "Replace", "pattern": {"String": mark}, "content": " "},
               {"type": "ByteFallback"}, {"type": "Fuse"}]},
           "model": {"type": "BPE", "dropout": None, "unk_token": "<unk>", "continuing_subword_prefix": None,
                     "end_of_word_suffix": None, "fuse_unk": True, "byte_fallback": True, "ignore_merges": False,
                     "vocab": {t: i for i, t in enumerate(tokens)}, "merges": [[a, b] for a, b in merges]}}
    eos = added[0] if added else "</s>"
    config = {"bos_token": "<s>", "eos_token": eos, "unk_token": "<unk>", "add_bos_token": True}
    return tok, config


PHI3_ADDED = ["<|endoftext|>", "<|assistant|>", "<|placeholder1|>", "<|placeholder2|>", "<|placeholder3|>",
              "<|placeholder4|>", "<|system|>", "<|end|>", "<|placeholder5|>", "<|placeholder6|>", "<|user|>"]


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
