#!/usr/bin/env python3
"""An independent forward pass for the models lmc runs, in numpy, sharing no code with lmc.

Reads the same weights lmc reads and computes what Hugging Face transformers computes
(modeling_gemma3.py, modeling_gemma2.py, modeling_llama.py, modeling_gpt2.py, and for the
Llama-like families modeling_mistral.py, modeling_mixtral.py, modeling_qwen2.py,
modeling_qwen2_moe.py, modeling_qwen3.py, modeling_qwen3_moe.py, modeling_olmoe.py,
modeling_phi3.py), with a KV cache:

  * From a llama.cpp GGUF, through the `gguf` package (GGUFReader and
    gguf.quants.dequantize): gemma3, gemma2, and the Llama-like architectures llama (also
    Mistral's and Mixtral's files, the latter with experts), qwen2, qwen3, qwen3moe, qwen2moe,
    olmoe and phi3. llama.cpp's converter stores Gemma's RMSNorm weights with the +1 already added, and
    permutes the q/k rows of "llama" files so that RoPE rotates adjacent pairs; the
    permutation is undone here so RoPE runs exactly as HF's rotate_half does.
  * From a Hugging Face directory: model.safetensors (F32, F16, BF16) and config.json,
    read by a few lines of numpy below: gpt2, gemma3_text, gemma2, and the Llama-like model_types
    llama, mistral, mixtral, qwen2, qwen3, qwen3_moe, qwen2_moe, olmoe and phi3.

The Llama-like families differ from Llama only in what their weights and config hold, so
one block serves them all, driven by the data: q/k/v biases where the checkpoint has them
(Qwen 2), an RMSNorm of q and k where it has q_norm/k_norm (per head in Qwen 3 and Gemma
3; over the whole of q and of k, before the split into heads, in OLMoE), post-attention and
post-FFN norms where it has them (Gemma 3), fused qkv and gate_up matrices split by rows
(Phi-3), an explicit head_dim, a sliding window per layer from the config (every layer for
Mistral and Phi-3; Qwen only with use_sliding_window, from max_window_layers on; a
layer_types list where the config has one), and a mixture of experts in place of the MLP
where the layer has a router (Qwen3-MoE, Qwen2-MoE, OLMoE, Mixtral: a softmax over the router's
logits, each token's k most probable experts, their weights renormalized to sum 1 with
norm_topk_prob (Qwen3-MoE's and always Mixtral's, not OLMoE's nor Qwen2-MoE's), the weighted
sum of their gated MLPs; a GGUF stacks the experts, an HF checkpoint has each expert's own
matrices, which are stacked here), plus a shared expert where the layer has one (Qwen2-MoE:
a gated MLP every token takes, times the sigmoid of its gate's [1, d] linear, one scalar a
row; a GGUF's gate is the 1-d [d] ffn_gate_inp_shexp).

Gemma 3: embeddings times sqrt(d_model); RMSNorm (1 + w); per-head q/k RMSNorm; RoPE with
base 1e4 on sliding-window layers and 1e6 on every 6th (global) layer; a key j is visible
from position p when j <= p and p - j < sliding_window; GQA; gelu_tanh-gated MLP with
post-attention and post-FFN norms; logits from the tied embedding table.

Gemma 2: Gemma 3's layer without the q/k norms; one rope base; layers 0, 2, 4 ... slide, the
odd ones attend globally; attention scores (after the query scale, before the mask) and the
logits soft-capped c * tanh(x / c).

Mirroring lmc's Q8_0 decisions (Q8Plan) is optional, for comparing lmc's default pipeline
with like: a linear weight is rounded through ggml's Q8_0 (per 32 values along the input
dim: d = max|x|/127 stored as f16, q = round-half-away(x / d)) when max(in, out) >= the
threshold, judging fused QKV and gate/up weights (a shared expert's too) by their fused
shape and experts' stacked weights by one expert's, every other linear by its own shape (a
shared expert's [1, d] gate too, which max(1, d) >= d_model quantizes at the default
threshold, as lmc's rule does); a tied embedding table whose head is quantized is read
quantized by the lookup too. lmc's integer kernels (every step, decode and prefill; an expert's
product is the same kernel) also round a Q8_0 linear's input rows to int8 per 32 values as
ggml's q8_0 (d = max|x|/127 as f16, round half to even), and a K-type weight's per 256 as
q8_K; act_rows mirrors that.

The KV cache may be stored as lmc's kv-cache-type pass stores it (cache="f16", lmc's
default, or "q8_0"; "f32" keeps it exact): each new key and value row is rounded to f16
(to nearest even) or through the same Q8_0 round trip as the weights (per 32 values of a
row, heads being whole blocks) before attention reads it. Like the pass, q8_0 falls back
to f16 when a head is not a whole number of blocks.

Usage (the test drivers import this module; the CLI is for poking at a model):
  reference_forward.py WEIGHTS --tokens 2,651,6037 [--decode N] [--q8] [--cache f16] [--logits-out F.npy]
prints {"tokens": [...greedy...]} as JSON.
"""
import argparse
import copy
import dataclasses
import json
import math
import os
import struct
import sys
from dataclasses import dataclass

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_file import GgufFile  # noqa: E402

Q8_BLOCK = 32


# ---------------------------------------------------------------- weight files

def _bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def read_safetensors(path):
    """name -> float32 array, from one .safetensors file."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        base = 8 + n
    data = np.memmap(path, dtype=np.uint8, mode="r")
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        begin, end = t["data_offsets"]
        raw = data[base + begin:base + end]
        if t["dtype"] == "F32":
            a = raw.view(np.float32)
        elif t["dtype"] == "F16":
            a = raw.view(np.float16).astype(np.float32)
        elif t["dtype"] == "BF16":
            a = _bf16_to_f32(raw.view(np.uint16))
        else:
            raise ValueError(f"{path}: {name}: dtype {t['dtype']} not supported by the reference")
        out[name] = np.array(a, dtype=np.float32).reshape(t["shape"])
    return out


def read_hf_dir(directory):
    with open(os.path.join(directory, "config.json")) as f:
        config = json.load(f)
    index = os.path.join(directory, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    tensors = {}
    for name in files:
        tensors.update(read_safetensors(os.path.join(directory, name)))
    return config, tensors


# GGUF block types lmc's linears read as the file stores them (keep-source).
KEPT_TYPES = ("Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q4_K", "Q5_K", "Q6_K", "Q3_K", "Q2_K", "IQ4_NL", "IQ4_XS")


def read_gguf(path):
    """(metadata dict, name -> float32 array in numpy's [outer, ..., inner] order); the
    metadata's "lmc.kept" names the 2-d tensors and experts' 3-d stacks stored in
    KEPT_TYPES, with their type. The container is read by gguf_file.py; the values are
    dequantized by gguf-py."""
    import gguf  # only GGUF models need the package
    f = GgufFile(path)
    # Vocabularies are large and the forward pass does not need them.
    meta = {k: v for k, v in f.meta.items()
            if not (k.startswith("tokenizer.ggml.") and k.endswith(("tokens", "scores", "token_type", "merges")))}
    types = [gguf.GGMLQuantizationType(t.type) for t in f.tensors]
    # The block types lmc's keep-source policy keeps (quant-threshold{keep-source}).
    meta["lmc.kept"] = {t.name: q.name for t, q in zip(f.tensors, types)
                        if q.name in KEPT_TYPES and len(t.shape) in (2, 3)}
    # gguf.quants.dequantize leaves F64 and the integer types to numpy.
    converted = {gguf.GGMLQuantizationType.F64: np.float64, gguf.GGMLQuantizationType.I8: np.int8,
                 gguf.GGMLQuantizationType.I16: np.int16, gguf.GGMLQuantizationType.I32: np.int32,
                 gguf.GGMLQuantizationType.I64: np.int64}
    tensors = {}
    for t, q in zip(f.tensors, types):
        shape = [int(d) for d in reversed(t.shape)]
        block, size = gguf.GGML_QUANT_SIZES[q]
        rows, row_bytes = int(np.prod(shape[:-1])), shape[-1] // block * size
        raw = np.frombuffer(f.data, dtype=np.uint8, count=rows * row_bytes, offset=t.offset).reshape(rows, row_bytes)
        values = raw.view(converted[q]).astype(np.float32) if q in converted else gguf.quants.dequantize(raw, q)
        tensors[t.name] = np.ascontiguousarray(values, dtype=np.float32).reshape(shape)
    return meta, tensors


# ---------------------------------------------------------------- model description

@dataclass
class Config:
    arch: str             # "gemma3", "llama" (every Llama-like family) or "gpt2"
    d_model: int
    n_layers: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    eps: float
    vocab: int
    rope_bases: list      # per layer (empty for GPT-2)
    windows: list         # per layer, 0 = attends to the whole past
    query_scale: float
    embed_scale: float = 1.0
    act: str = "silu"     # the gated MLP's activation
    # lmc's keys hold each head's values in llama.cpp's permuted order (a "llama" GGUF, whose
    # RoPE rotates adjacent pairs), which decides what a q8_0 cache's blocks of 32 group.
    keys_interleaved: bool = False
    # Per-pair divisors of the RoPE frequencies (a GGUF's rope_freqs.weight, or a linear
    # scaling's factor), or None.
    rope_factors: object = None
    # Per layer, a divisor of every RoPE frequency (Gemma 3's linear scaling, which only its
    # global layers take), or None.
    rope_layer_divisors: object = None
    # YaRN's scaling (factor, original_context, beta_fast, beta_slow), or None.
    rope_yarn: object = None
    # Dynamic NTK scaling (factor, original_context): each row's base grown with its position
    # past the original context, as transformers' _compute_dynamic_ntk_parameters for a
    # sequence of position + 1 tokens; or None.
    rope_dynamic: object = None
    # cos and sin times this (LongRoPE's attention factor); YaRN's comes with rope_yarn.
    rope_attn: float = 1.0
    # The features of a head RoPE turns, the first of it (partial rotary); None: all.
    rotary_dim: object = None
    # Gemma 2's soft-caps c * tanh(x / c): of the attention scores (after the query scale,
    # before the mask) and of the logits; 0 = none.
    attn_softcap: float = 0.0
    final_softcap: float = 0.0
    # A mixture of experts' routing (Qwen3-MoE, Qwen2-MoE, OLMoE, Mixtral): the experts each token takes, and
    # whether their probabilities are renormalized to sum 1.
    n_experts_used: int = 0
    norm_topk: bool = False


def _gemma_layers(n_layers, pattern, window, local_base, global_base, layer_types=None):
    """Per-layer (rope base, window): every `pattern`-th layer is global (Gemma 3: 6, Gemma 2: 2,
    so that layers 0, 2, 4 ... slide)."""
    bases, windows = [], []
    for i in range(n_layers):
        is_global = layer_types[i] == "full_attention" if layer_types else (i + 1) % pattern == 0
        bases.append(global_base if is_global else local_base)
        windows.append(0 if is_global else window)
    return bases, windows


def _unpermute_rope_rows(w, n_heads):
    """Inverse of llama.cpp's convert permute: rows back in HF's [half, half] RoPE order."""
    out_dim = w.shape[0]
    half = out_dim // n_heads // 2
    return np.ascontiguousarray(w.reshape(n_heads, half, 2, -1).swapaxes(1, 2).reshape(out_dim, -1))


def _global_layer_divisors(windows, factor):
    """Gemma 3's linear RoPE scaling: the global layers' (window 0) positions divided by
    `factor`, the sliding-window layers' not."""
    return [factor if w == 0 else 1.0 for w in windows]


def model_from_gguf(path):
    meta, t = read_gguf(path)
    arch = meta["general.architecture"]
    g = lambda k, *d: meta.get(f"{arch}.{k}", *d)
    d_model, n_layers = int(g("embedding_length")), int(g("block_count"))
    n_heads, n_kv = int(g("attention.head_count")), int(g("attention.head_count_kv"))
    eps = float(g("attention.layer_norm_rms_epsilon"))
    vocab = t["token_embd.weight"].shape[0]
    layers = []
    if arch in ("gemma3", "gemma2"):
        head_dim = int(g("attention.key_length"))
        if arch == "gemma3":
            bases, windows = _gemma_layers(n_layers, 6, int(g("attention.sliding_window")), 10000.0,
                                           float(g("rope.freq_base")))
            query_scale = head_dim ** -0.5
        else:
            # llama.cpp's gemma2: one rope base, 4096 and the caps 50 and 30 when the file has no key;
            # the 46-layer 27B scales queries by (d_model / heads)^-1/2, the others by head_dim^-1/2.
            base = float(g("rope.freq_base", 10000.0))
            bases, windows = _gemma_layers(n_layers, 2, int(g("attention.sliding_window", 4096)), base, base)
            query_scale = (d_model // n_heads if n_layers == 46 else head_dim) ** -0.5
        cfg = Config("gemma3", d_model, n_layers, n_heads, n_kv, head_dim, eps, vocab, bases, windows,
                     query_scale, math.sqrt(d_model), "gelu_tanh")
        if arch == "gemma3" and g("rope.scaling.type", "none") == "linear":
            cfg.rope_layer_divisors = _global_layer_divisors(windows, float(g("rope.scaling.factor")))
        if arch == "gemma2":
            cfg.attn_softcap = float(g("attn_logit_softcapping", 50.0))
            cfg.final_softcap = float(g("final_logit_softcapping", 30.0))
        for i in range(n_layers):
            p = lambda n: t[f"blk.{i}.{n}.weight"]
            # The converter stored 1 + w; Gemma's (1 + w) scaling is then a plain product.
            layers.append(dict(attn_norm=p("attn_norm"), q=p("attn_q"), k=p("attn_k"), v=p("attn_v"),
                               o=p("attn_output"), post_attn_norm=p("post_attention_norm"), ffn_norm=p("ffn_norm"),
                               gate=p("ffn_gate"), up=p("ffn_up"), down=p("ffn_down"),
                               post_ffn_norm=p("post_ffw_norm")))
            if arch == "gemma3":  # per-head q/k norms: Gemma 3's, not Gemma 2's
                layers[-1].update(q_norm=p("attn_q_norm"), k_norm=p("attn_k_norm"))
    elif arch in GGUF_LLAMA_LIKE:
        head_dim = int(g("attention.key_length", d_model // n_heads))
        base = float(g("rope.freq_base", 10000.0))
        window = int(g("attention.sliding_window", 0))
        cfg = Config("llama", d_model, n_layers, n_heads, n_kv, head_dim, eps, vocab, [base] * n_layers,
                     [window] * n_layers, head_dim ** -0.5)
        cfg.rotary_dim = int(g("rope.dimension_count", head_dim))
        permuted = arch == "llama"
        for i in range(n_layers):
            p = lambda n: t.get(f"blk.{i}.{n}")
            L = _llama_like_layer(p, head_dim * n_heads, head_dim * n_kv, "attn_norm.weight", "attn_q", "attn_k",
                                  "attn_v", "attn_qkv", "attn_output.weight", "attn_q_norm.weight",
                                  "attn_k_norm.weight", "ffn_norm.weight", "ffn_gate.weight", "ffn_up.weight",
                                  "ffn_up.weight", "ffn_down.weight", _gguf_experts(p))
            if permuted:
                L["q"], L["k"] = _unpermute_rope_rows(L["q"], n_heads), _unpermute_rope_rows(L["k"], n_kv)
            layers.append(L)
        cfg.keys_interleaved = permuted
        if int(g("expert_count", 0)):  # qwen3moe, qwen2moe, olmoe, and llama for Mixtral
            # llama.cpp's graphs decide the renormalization of the k weights by the architecture
            # (qwen3moe and llama always, olmoe and qwen2moe never), not by a key of the file.
            cfg.n_experts_used = int(g("expert_used_count"))
            cfg.norm_topk = arch not in ("olmoe", "qwen2moe")
        cfg.rope_factors = t.get("rope_freqs.weight")
        if "rope_factors_long.weight" in t:  # LongRoPE: the long divisors past the original context
            long = float(g("context_length")) > float(g("rope.scaling.original_context_length"))
            cfg.rope_factors = t["rope_factors_long.weight" if long else "rope_factors_short.weight"]
            cfg.rope_attn = float(g("rope.scaling.attn_factor", 1.0))
        if g("rope.scaling.type", "none") == "linear":
            linear = np.full(head_dim // 2, float(g("rope.scaling.factor")), np.float64)
            cfg.rope_factors = linear if cfg.rope_factors is None else cfg.rope_factors * linear
        if g("rope.scaling.type", "none") == "yarn":  # llama.cpp's keys (convert_hf_to_gguf.py)
            cfg.rope_yarn = dict(factor=float(g("rope.scaling.factor")),
                                 original_context=float(g("rope.scaling.original_context_length", g("context_length"))),
                                 beta_fast=float(g("rope.scaling.yarn_beta_fast", 32.0)),
                                 beta_slow=float(g("rope.scaling.yarn_beta_slow", 1.0)))
    kept = meta["lmc.kept"]
    for i, L in enumerate(layers):
        L["stored"] = {key: _stored_type(kept, i, names) for key, names in STORED_NAMES.items()}
    embed = t["token_embd.weight"]
    head = t.get("output.weight", embed)
    model = Model(cfg, embed, layers, dict(w=t["output_norm.weight"]), head)
    model.head_stored = kept.get("output.weight")
    return model


# A layer's linears and the GGUF tensors they come from (a fused one when the parts are absent).
STORED_NAMES = dict(q=("attn_q", "attn_qkv"), k=("attn_k", "attn_qkv"), v=("attn_v", "attn_qkv"), o=("attn_output",),
                    gate=("ffn_gate", "ffn_up"), up=("ffn_up",), down=("ffn_down",), router=("ffn_gate_inp",),
                    gate_exps=("ffn_gate_exps",), up_exps=("ffn_up_exps",), down_exps=("ffn_down_exps",),
                    gate_shexp=("ffn_gate_shexp",), up_shexp=("ffn_up_shexp",), down_shexp=("ffn_down_shexp",),
                    shexp_gate=("ffn_gate_inp_shexp",))


def _stored_type(kept, i, names):
    for n in names:
        if f"blk.{i}.{n}.weight" in kept:
            return kept[f"blk.{i}.{n}.weight"]
    return None


# general.architecture values whose files hold a Llama-like decoder (Mistral's say "llama").
GGUF_LLAMA_LIKE = ("llama", "qwen2", "qwen3", "qwen3moe", "qwen2moe", "olmoe", "phi3")
# model_type values of Llama-like Hugging Face checkpoints.
HF_LLAMA_LIKE = ("llama", "mistral", "mixtral", "qwen2", "qwen3", "qwen3_moe", "qwen2_moe", "olmoe", "phi3")
# A mixture of experts' HF names, by model_type: the module holding the router (gate) and the
# experts, and an expert's gate, up and down matrices.
HF_EXPERT_NAMES = {"qwen3_moe": ("mlp", "gate_proj", "up_proj", "down_proj"),
                   "qwen2_moe": ("mlp", "gate_proj", "up_proj", "down_proj"),
                   "olmoe": ("mlp", "gate_proj", "up_proj", "down_proj"),
                   "mixtral": ("block_sparse_moe", "w1", "w3", "w2")}


def _llama_like_layer(p, q_rows, kv_rows, attn_norm, q, k, v, qkv, o, q_norm, k_norm, ffn_norm, gate, up, gate_up,
                      down, experts=None):
    """One layer's arrays from `p(name)` (None when absent), in either file's names. A fused
    qkv matrix is split into q, k, v rows; a gate/up matrix without a separate gate is split
    in halves, gate first (Phi3MLP's chunk(2), llama.cpp's fused ffn_up). `experts`, the
    arrays of a mixture of experts (router, gate_exps, up_exps, down_exps, and a shared
    expert's gate_shexp, up_shexp, down_shexp and shexp_gate where it has one), replaces the
    MLP."""
    L = dict(attn_norm=p(attn_norm), o=p(o), ffn_norm=p(ffn_norm))
    fused = p(qkv + ".weight")
    if fused is not None:
        L["q"], L["k"], L["v"] = np.split(fused, [q_rows, q_rows + kv_rows])
    else:
        for key, name in (("q", q), ("k", k), ("v", v)):
            L[key] = p(name + ".weight")
            if p(name + ".bias") is not None:
                L[key + "_b"] = p(name + ".bias")
    if experts is not None:
        L.update(experts)
    elif p(gate) is not None:
        L["gate"], L["up"], L["down"] = p(gate), p(up), p(down)
    else:
        L["gate"], L["up"] = np.split(p(gate_up), 2)
        L["down"] = p(down)
    if p(q_norm) is not None:
        L["q_norm"], L["k_norm"] = p(q_norm), p(k_norm)
    return L


def _gguf_experts(p):
    """A GGUF layer's router [E, d] and stacked experts ([E, F, d] gate and up, [E, d, F]
    down), with a shared expert where it has one (qwen2moe: ffn_{gate,up,down}_shexp and the
    1-d [d] ffn_gate_inp_shexp, llama.cpp's {n_embd}, read as the [1, d] linear it is in HF),
    or None for a layer with a plain MLP."""
    if p("ffn_gate_inp.weight") is None:
        return None
    out = dict(router=p("ffn_gate_inp.weight"), gate_exps=p("ffn_gate_exps.weight"),
               up_exps=p("ffn_up_exps.weight"), down_exps=p("ffn_down_exps.weight"))
    if p("ffn_gate_shexp.weight") is not None:
        out.update(gate_shexp=p("ffn_gate_shexp.weight"), up_shexp=p("ffn_up_shexp.weight"),
                   down_shexp=p("ffn_down_shexp.weight"), shexp_gate=p("ffn_gate_inp_shexp.weight").reshape(1, -1))
    return out


def _hf_experts(t, prefix, n_experts, names):
    """An HF layer's router and its experts' matrices stacked as a GGUF holds them (and a
    shared expert's matrices and gate, Qwen2-MoE's, where the layer has them), or None
    for a layer with a plain MLP (Qwen3-MoE's mlp_only_layers, a dense family's: `names`, its
    HF_EXPERT_NAMES, None). Each expert's arrays leave `t` as they are stacked, so that 128
    experts are not held twice."""
    if names is None or f"{prefix}{names[0]}.gate.weight" not in t:
        return None
    block, gate, up, down = names
    stack = lambda w: np.stack([t.pop(f"{prefix}{block}.experts.{m}.{w}.weight") for m in range(n_experts)])
    out = dict(router=t[f"{prefix}{block}.gate.weight"], gate_exps=stack(gate), up_exps=stack(up),
               down_exps=stack(down))
    shared = f"{prefix}{block}.shared_expert."  # Qwen2MoeSparseMoeBlock's shared expert and its gate
    if shared + gate + ".weight" in t:
        out.update(gate_shexp=t[shared + gate + ".weight"], up_shexp=t[shared + up + ".weight"],
                   down_shexp=t[shared + down + ".weight"], shexp_gate=t[f"{prefix}{block}.shared_expert_gate.weight"])
    return out


def _hf_windows(c, n_layers):
    """Per-layer sliding windows from an HF config (0 = the whole past)."""
    window = c.get("sliding_window") or 0
    if c.get("layer_types"):
        return [window if kind == "sliding_attention" else 0 for kind in c["layer_types"]]
    if "use_sliding_window" in c:  # Qwen: only when enabled, and from max_window_layers on
        return [window if c["use_sliding_window"] and i >= c.get("max_window_layers", 0) else 0
                for i in range(n_layers)]
    return [window] * n_layers


def _llama3_divisors(base, head_dim, s):
    """transformers' _compute_llama3_parameters as per-pair divisors of the frequencies: low
    frequencies divided by factor, high ones kept, the band between blended (in f64)."""
    inv_freq = 1.0 / (base ** (np.arange(0, head_dim, 2, dtype=np.float64) / head_dim))
    factor, low, high = float(s["factor"]), float(s["low_freq_factor"]), float(s["high_freq_factor"])
    original = float(s["original_max_position_embeddings"])
    wavelen = 2 * math.pi / inv_freq
    smooth = (original / wavelen - low) / (high - low)
    scaled = np.where(wavelen > original / low, inv_freq / factor, inv_freq)
    medium = (wavelen >= original / high) & (wavelen <= original / low)
    scaled = np.where(medium, (1 - smooth) * inv_freq / factor + smooth * inv_freq, scaled)
    return inv_freq / scaled


def _llama_like_from_hf(c, t):
    d_model, n_layers = c["hidden_size"], c["num_hidden_layers"]
    n_heads, n_kv = c["num_attention_heads"], c["num_key_value_heads"]
    head_dim = c.get("head_dim") or d_model // n_heads
    embed = t["model.embed_tokens.weight"]
    cfg = Config("llama", d_model, n_layers, n_heads, n_kv, head_dim, c["rms_norm_eps"], embed.shape[0],
                 [float(c.get("rope_theta", 10000.0))] * n_layers, _hf_windows(c, n_layers), head_dim ** -0.5)
    cfg.rotary_dim = int(head_dim * c.get("partial_rotary_factor", 1.0))
    scaling = c.get("rope_scaling") or {}
    if scaling.get("rope_type", scaling.get("type")) in ("longrope", "su"):
        # Phi-3's (transformers' _compute_longrope_parameters), with the long factors whenever
        # the context passes the original one, as lmc and llama.cpp (at its default context) take them.
        original = c.get("original_max_position_embeddings", c["max_position_embeddings"])
        growth = c["max_position_embeddings"] / original
        cfg.rope_factors = np.asarray(scaling["long_factor" if growth > 1 else "short_factor"], np.float64)
        cfg.rope_attn = scaling.get("attention_factor") or (
            math.sqrt(1 + math.log(growth) / math.log(original)) if growth > 1 else 1.0)
    if scaling.get("rope_type", scaling.get("type")) == "llama3":
        cfg.rope_factors = _llama3_divisors(float(c.get("rope_theta", 10000.0)), head_dim, scaling)
    if scaling.get("rope_type", scaling.get("type")) == "dynamic":
        cfg.rope_dynamic = dict(factor=float(scaling["factor"]), original_context=float(c["max_position_embeddings"]))
    if scaling.get("rope_type", scaling.get("type")) == "yarn":
        cfg.rope_yarn = dict(factor=float(scaling["factor"]),
                             original_context=float(scaling.get("original_max_position_embeddings",
                                                                c["max_position_embeddings"])),
                             beta_fast=float(scaling.get("beta_fast", 32.0)),
                             beta_slow=float(scaling.get("beta_slow", 1.0)))
    n_experts = c.get("num_experts") or c.get("num_local_experts", 0)  # Mixtral's name for it
    if n_experts:
        # Qwen3-MoE's, Qwen2-MoE's and OLMoE's norm_topk_prob defaults to False in transformers;
        # Mixtral has none, its MixtralSparseMoeBlock always renormalizes.
        cfg.n_experts_used = int(c["num_experts_per_tok"])
        cfg.norm_topk = bool(c.get("norm_topk_prob", c["model_type"] == "mixtral"))
    layers = []
    for i in range(n_layers):
        p = lambda n: t.get(f"model.layers.{i}.{n}")
        layers.append(_llama_like_layer(p, head_dim * n_heads, head_dim * n_kv, "input_layernorm.weight",
                                        "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
                                        "self_attn.qkv_proj", "self_attn.o_proj.weight", "self_attn.q_norm.weight",
                                        "self_attn.k_norm.weight", "post_attention_layernorm.weight",
                                        "mlp.gate_proj.weight", "mlp.up_proj.weight", "mlp.gate_up_proj.weight",
                                        "mlp.down_proj.weight",
                                        _hf_experts(t, f"model.layers.{i}.", n_experts,
                                                    HF_EXPERT_NAMES.get(c["model_type"]))))
    return Model(cfg, embed, layers, dict(w=t["model.norm.weight"]), t.get("lm_head.weight", embed))


def model_from_hf_dir(directory):
    c, t = read_hf_dir(directory)
    kind = c.get("model_type")
    layers = []
    if kind == "gpt2":
        d_model, n_heads = c["n_embd"], c["n_head"]
        cfg = Config("gpt2", d_model, c["n_layer"], n_heads, n_heads, d_model // n_heads,
                     c.get("layer_norm_epsilon", 1e-5), t["wte.weight"].shape[0], [], [0] * c["n_layer"],
                     (d_model // n_heads) ** -0.5)
        for i in range(cfg.n_layers):
            p = lambda n: t[f"h.{i}.{n}"]
            # Conv1D stores [in, out]; the reference keeps every linear as [out, in].
            layers.append(dict(ln_1=(p("ln_1.weight"), p("ln_1.bias")), ln_2=(p("ln_2.weight"), p("ln_2.bias")),
                               qkv=np.ascontiguousarray(p("attn.c_attn.weight").T), qkv_b=p("attn.c_attn.bias"),
                               o=np.ascontiguousarray(p("attn.c_proj.weight").T), o_b=p("attn.c_proj.bias"),
                               fc=np.ascontiguousarray(p("mlp.c_fc.weight").T), fc_b=p("mlp.c_fc.bias"),
                               proj=np.ascontiguousarray(p("mlp.c_proj.weight").T), proj_b=p("mlp.c_proj.bias")))
        final = dict(w=t["ln_f.weight"], b=t["ln_f.bias"])
        model = Model(cfg, t["wte.weight"], layers, final, t["wte.weight"])
        model.pos_embed = t["wpe.weight"]
        return model
    if kind in ("gemma3_text", "gemma3", "gemma2"):
        d_model, n_layers = c["hidden_size"], c["num_hidden_layers"]
        if kind == "gemma2":  # one rope base; layer i slides when i is even (modeling_gemma2.py)
            bases, windows = _gemma_layers(n_layers, 2, c["sliding_window"], c.get("rope_theta", 10000.0),
                                           c.get("rope_theta", 10000.0), c.get("layer_types"))
        else:
            bases, windows = _gemma_layers(n_layers, c.get("sliding_window_pattern", 6), c["sliding_window"],
                                           c.get("rope_local_base_freq", 10000.0), c["rope_theta"],
                                           c.get("layer_types"))
        cfg = Config("gemma3", d_model, n_layers, c["num_attention_heads"], c["num_key_value_heads"],
                     c["head_dim"], c["rms_norm_eps"], t["model.embed_tokens.weight"].shape[0], bases, windows,
                     c["query_pre_attn_scalar"] ** -0.5, math.sqrt(d_model), "gelu_tanh")
        # None (Gemma 3's) turns a cap off.
        cfg.attn_softcap = c.get("attn_logit_softcapping") or 0.0
        cfg.final_softcap = c.get("final_logit_softcapping") or 0.0
        scaling = c.get("rope_scaling") or {}
        if kind != "gemma2" and scaling.get("rope_type", scaling.get("type")) == "linear":
            cfg.rope_layer_divisors = _global_layer_divisors(windows, float(scaling["factor"]))
        norm = lambda w: w + np.float32(1.0)  # HF applies (1 + w)
        for i in range(n_layers):
            p = lambda n: t[f"model.layers.{i}.{n}.weight"]
            layers.append(dict(attn_norm=norm(p("input_layernorm")), q=p("self_attn.q_proj"),
                               k=p("self_attn.k_proj"), v=p("self_attn.v_proj"),
                               o=p("self_attn.o_proj"), post_attn_norm=norm(p("post_attention_layernorm")),
                               ffn_norm=norm(p("pre_feedforward_layernorm")), gate=p("mlp.gate_proj"),
                               up=p("mlp.up_proj"), down=p("mlp.down_proj"),
                               post_ffn_norm=norm(p("post_feedforward_layernorm"))))
            if kind != "gemma2":  # per-head q/k norms: Gemma 3's, not Gemma 2's
                layers[-1].update(q_norm=norm(p("self_attn.q_norm")), k_norm=norm(p("self_attn.k_norm")))
        embed = t["model.embed_tokens.weight"]
        return Model(cfg, embed, layers, dict(w=norm(t["model.norm.weight"])), t.get("lm_head.weight", embed))
    if kind in HF_LLAMA_LIKE:
        return _llama_like_from_hf(c, t)
    raise ValueError(f"{directory}: model_type {kind!r} has no reference")


def load_model(path):
    return model_from_gguf(path) if path.endswith(".gguf") else model_from_hf_dir(path)


# ---------------------------------------------------------------- Q8_0

def q8_0_round_trip(w):
    """w [N, K] through ggml's reference Q8_0 quantizer and back (K % 32 == 0)."""
    n, k = w.shape
    out = np.empty_like(w, dtype=np.float32)
    for r0 in range(0, n, 16384):  # bounded temporaries for 262144-row tables
        blocks = w[r0:r0 + 16384].reshape(-1, k // Q8_BLOCK, Q8_BLOCK).astype(np.float32, copy=False)
        d = (np.abs(blocks).max(axis=-1) / np.float32(127)).astype(np.float32)
        inv = np.divide(np.float32(1), d, out=np.zeros_like(d), where=d != 0)
        scaled = blocks * inv[..., None]
        q = np.rint(scaled)
        # lround rounds half away from zero where rint took the even neighbour; an f32's
        # distance to an integer is exact, so ties are seen exactly.
        ties = np.nonzero((np.abs(scaled - q) == 0.5) & (np.abs(q) < np.abs(scaled)))
        q[ties] += np.sign(scaled[ties])
        d16 = d.astype(np.float16).astype(np.float32)
        out[r0:r0 + 16384] = (q * d16[..., None]).reshape(-1, k)
    return out


def cache_round_trip(x, cache, interleaved=False):
    """Key or value rows [T, heads, head_dim] as a KV cache of dtype `cache` stores them; with
    `interleaved`, q8_0 blocks group each head's values in llama.cpp's permuted order (lmc's
    column 2i + p of a head is column p * head_dim/2 + i here)."""
    if cache == "q8_0" and x.shape[-1] % Q8_BLOCK == 0:
        hd = x.shape[-1]
        order = np.arange(hd).reshape(2, hd // 2).T.reshape(-1) if interleaved else np.arange(hd)
        out = np.empty_like(x, dtype=np.float32)
        out[..., order] = q8_0_round_trip(x[..., order].reshape(x.shape[0], -1)).reshape(x.shape)
        return out
    if cache in ("f16", "q8_0"):
        return x.astype(np.float16).astype(np.float32)
    return x


# The kept types whose integer kernels round input rows per 256 (ggml's q8_K).
K_TYPES = ("Q4_K", "Q5_K", "Q6_K", "Q3_K", "Q2_K", "IQ4_XS")


def q8_act_round_trip(x, group=Q8_BLOCK):
    """Input rows as lmc's integer kernels see them, rounded as ggml rounds activations:
    per 32 values (q8_0) q = round(x * 127/max|x|) with d = max|x|/127 as f16; per 256
    (q8_K, for K-type weights) the same q with d = 1 / (127/max|x|) in f32."""
    t, k = x.shape
    blocks = x.astype(np.float32).reshape(t, k // group, group)
    amax = np.abs(blocks).max(axis=-1)
    inv = np.divide(np.float32(127), amax, out=np.zeros_like(amax), where=amax > 0)
    if group == Q8_BLOCK:
        d = (amax / np.float32(127)).astype(np.float32).astype(np.float16).astype(np.float32)
    else:
        d = np.divide(np.float32(1), inv, out=np.zeros_like(inv), where=inv > 0)
    q = np.rint(blocks * inv[..., None])
    return (q * d[..., None]).reshape(t, k)


@dataclass
class Q8Plan:
    """Which weights lmc's quant-threshold pass turns into Q8_0 (None: keep all F32)."""
    min_dim: int = 0          # 0: d_model, as the pass's default
    fused: bool = True        # QKV and gate/up fused before the decision (the default pipeline)
    act_rows: bool = True     # mirror the int8 input rows of the integer kernels
    keep_source: bool = False  # weights stored in KEPT_TYPES stay exact (keep-source)


class Linear:
    __slots__ = ("w", "b", "quantized", "act_group")

    def __init__(self, w, b=None, quantized=False, act_group=Q8_BLOCK):
        self.w, self.b, self.quantized, self.act_group = w, b, quantized, act_group


# ---------------------------------------------------------------- the model

class Model:
    def __init__(self, cfg, embed, layers, final_norm, head):
        self.cfg, self.embed, self.layers, self.final_norm, self.head = cfg, embed, layers, final_norm, head
        self.pos_embed = None

    def prepared(self, plan=None, cache="f32"):
        """The weights as Linear objects, Q8_0-rounded where `plan` says lmc quantizes, and
        the KV cache's dtype."""
        return PreparedModel(self, plan, cache)


class PreparedModel:
    def __init__(self, model, plan, cache="f32"):
        self.cfg, self.model, self.plan, self.cache = model.cfg, model, plan, cache
        min_dim = (plan.min_dim or model.cfg.d_model) if plan else None

        def quantizes(out_dim, in_dim):
            return min_dim is not None and max(out_dim, in_dim) >= min_dim and in_dim % Q8_BLOCK == 0

        def linear(w, b=None, decide_shape=None, stored=None):
            if plan is not None and plan.keep_source and stored:
                # the file's blocks, read by the int8 kernels (K types against q8_K rows)
                return Linear(w, b, True, 256 if stored in K_TYPES else Q8_BLOCK)
            q = quantizes(*(decide_shape or w.shape))
            return Linear(q8_0_round_trip(w) if q else w, b, q)

        def group(st, keys):
            """The block type a fused group keeps: every part's, when they agree."""
            types = {st.get(k) for k in keys}
            return types.pop() if len(types) == 1 else None

        def experts(w, stored):
            """Stacked [E, N, K] weights, decided and rounded as one linear of an expert's [N, K]."""
            lin = linear(w.reshape(-1, w.shape[-1]), None, w.shape[1:], stored)
            return Linear(lin.w.reshape(w.shape), None, lin.quantized, lin.act_group)

        self.layers = []
        fused = plan is not None and plan.fused
        for L in model.layers:
            if model.cfg.arch == "gpt2":
                self.layers.append(dict(qkv=linear(L["qkv"], L["qkv_b"]), o=linear(L["o"], L["o_b"]),
                                        fc=linear(L["fc"], L["fc_b"]), proj=linear(L["proj"], L["proj_b"])))
                continue
            d = model.cfg.d_model
            qkv_shape = (L["q"].shape[0] + L["k"].shape[0] + L["v"].shape[0], d) if fused else None
            st = L.get("stored", {})
            qkv_st = group(st, "qkv") if fused else None
            W = dict(q=linear(L["q"], L.get("q_b"), qkv_shape, qkv_st if fused else st.get("q")),
                     k=linear(L["k"], L.get("k_b"), qkv_shape, qkv_st if fused else st.get("k")),
                     v=linear(L["v"], L.get("v_b"), qkv_shape, qkv_st if fused else st.get("v")),
                     o=linear(L["o"], stored=st.get("o")))
            if "router" in L:  # the router is a plain [E, d] linear
                W["router"] = linear(L["router"], stored=st.get("router"))
                for key in ("gate_exps", "up_exps", "down_exps"):
                    W[key] = experts(L[key], st.get(key))
                if "gate_shexp" in L:
                    # A shared expert's gate and up fuse as an MLP's (fuse-gate-up sees the same
                    # pattern); its [1, d] gate is a plain linear, decided by its own shape.
                    gu_shape = (2 * L["gate_shexp"].shape[0], d) if fused else None
                    gu_st = group(st, ("gate_shexp", "up_shexp")) if fused else None
                    W.update(gate_shexp=linear(L["gate_shexp"], None, gu_shape,
                                               gu_st if fused else st.get("gate_shexp")),
                             up_shexp=linear(L["up_shexp"], None, gu_shape, gu_st if fused else st.get("up_shexp")),
                             down_shexp=linear(L["down_shexp"], stored=st.get("down_shexp")),
                             shexp_gate=linear(L["shexp_gate"], stored=st.get("shexp_gate")))
            else:
                gu_shape = (2 * L["gate"].shape[0], d) if fused else None
                gu_st = group(st, ("gate", "up")) if fused else None
                W.update(gate=linear(L["gate"], None, gu_shape, gu_st if fused else st.get("gate")),
                         up=linear(L["up"], None, gu_shape, gu_st if fused else st.get("up")),
                         down=linear(L["down"], stored=st.get("down")))
            self.layers.append(W)
        tied = model.head is model.embed
        # A table the embedding also reads is decided as before (the gather reads q8_0).
        self.head = linear(model.head, stored=None if tied else getattr(model, "head_stored", None))
        self.embed = self.head.w if tied and self.head.quantized else model.embed

    def without_input_rounding(self):
        """The same rounded weights, with every linear's input left in f32."""
        other = copy.copy(self)
        other.plan = dataclasses.replace(self.plan, act_rows=False)
        return other

    def apply(self, lin, x):
        """x @ w.T + b, as lmc computes it."""
        if lin.quantized and self.plan.act_rows:
            x = q8_act_round_trip(x, lin.act_group)
        y = x.astype(np.float32) @ lin.w.T
        return y if lin.b is None else y + lin.b


def rms_norm(x, w, eps):
    x = x.astype(np.float64)
    return (x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w).astype(np.float32)


def layer_norm(x, w, b, eps):
    x = x.astype(np.float64)
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return ((x - mu) / np.sqrt(var + eps) * w + b).astype(np.float32)


def gelu_tanh(x):
    x = x.astype(np.float64)
    return (0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))).astype(np.float32)


def silu(x):
    x = x.astype(np.float64)
    return (x / (1 + np.exp(-x))).astype(np.float32)


ACTIVATIONS = {"silu": silu, "gelu_tanh": gelu_tanh}


def yarn_inv_freq(base, rd, yarn):
    """Hugging Face's _compute_yarn_parameters: the interpolated (divided by factor) and
    extrapolated inverse frequencies mixed by a linear ramp over the pairs between the
    correction range's floor and ceil; and the attention factor 0.1 ln(factor) + 1."""
    def correction_dim(rotations):
        return rd * math.log(yarn["original_context"] / (rotations * 2 * math.pi)) / (2 * math.log(base))
    low = max(math.floor(correction_dim(yarn["beta_fast"])), 0)
    high = min(math.ceil(correction_dim(yarn["beta_slow"])), rd - 1)
    if low == high:
        high += 0.001
    pos_freqs = base ** (np.arange(0, rd, 2, dtype=np.float64) / rd)
    ramp = np.clip((np.arange(rd // 2, dtype=np.float64) - low) / (high - low), 0, 1)
    extrapolation_factor = 1 - ramp
    inv_freq = (1 / (yarn["factor"] * pos_freqs)) * (1 - extrapolation_factor) + (1 / pos_freqs) * extrapolation_factor
    attention = 0.1 * math.log(yarn["factor"]) + 1 if yarn["factor"] > 1 else 1.0
    return inv_freq, attention


def dynamic_bases(base, rd, positions, dynamic):
    """Dynamic NTK's base per row [T, 1]: for a sequence of L = position + 1 tokens past the
    original context, base * (factor * L / original - (factor - 1)) ** (rd / (rd - 2))."""
    length = positions.astype(np.float64) + 1
    grown = dynamic["factor"] * length / dynamic["original_context"] - (dynamic["factor"] - 1)
    return np.where(length > dynamic["original_context"], base * grown ** (rd / (rd - 2)), base)[:, None]


def rope(x, positions, base, factors=None, rotary_dim=None, yarn=None, attention=1.0, dynamic=None):
    """HF rotate_half RoPE on x [T, heads, head_dim], each pair's frequency divided by
    `factors` when given, YaRN's frequencies and attention factor when `yarn` is (else cos and
    sin times `attention`, LongRoPE's), each row's own base when `dynamic` is (dynamic NTK); with
    `rotary_dim`, on the first rotary_dim features of each head only (partial rotary), the
    rest passed through."""
    rd = rotary_dim or x.shape[-1]
    bases = dynamic_bases(base, rd, positions, dynamic) if dynamic is not None else base
    inv_freq = 1.0 / (bases ** (np.arange(0, rd, 2, dtype=np.float64) / rd))
    if yarn is not None:
        inv_freq, attention = yarn_inv_freq(base, rd, yarn)
    if factors is not None:
        inv_freq = inv_freq / np.asarray(factors, dtype=np.float64)
    ang = positions[:, None].astype(np.float64) * (inv_freq if inv_freq.ndim == 2 else inv_freq[None, :])
    cos, sin = attention * np.cos(ang)[:, None, :], attention * np.sin(ang)[:, None, :]
    x = x.astype(np.float64)
    a, b = x[..., :rd // 2], x[..., rd // 2:rd]
    return np.concatenate([a * cos - b * sin, b * cos + a * sin, x[..., rd:]], axis=-1).astype(np.float32)


class Session:
    """A KV cache over one PreparedModel. step() runs rows through the model: however lmc
    splits them into steps, the numbers are the same, since every op is row-wise or causal."""

    def __init__(self, pm):
        self.pm, self.cfg = pm, pm.cfg
        self.k = [None] * self.cfg.n_layers
        self.v = [None] * self.cfg.n_layers
        self.pos = 0

    def attention(self, i, q, k, v, positions):
        cfg = self.cfg
        k = cache_round_trip(k, self.pm.cache, cfg.keys_interleaved)
        v = cache_round_trip(v, self.pm.cache)
        self.k[i] = k if self.k[i] is None else np.concatenate([self.k[i], k])
        self.v[i] = v if self.v[i] is None else np.concatenate([self.v[i], v])
        keys, vals = self.k[i].astype(np.float64), self.v[i].astype(np.float64)
        kpos = np.arange(keys.shape[0])
        visible = kpos[None, :] <= positions[:, None]
        if cfg.windows[i]:
            visible &= positions[:, None] - kpos[None, :] < cfg.windows[i]
        group = cfg.n_heads // cfg.n_kv_heads
        out = np.empty((q.shape[0], cfg.n_heads, cfg.head_dim), dtype=np.float64)
        for h in range(cfg.n_heads):
            s = q[:, h, :].astype(np.float64) @ keys[:, h // group, :].T * cfg.query_scale
            if cfg.attn_softcap:
                s = cfg.attn_softcap * np.tanh(s / cfg.attn_softcap)
            s = np.where(visible, s, -np.inf)
            p = np.exp(s - s.max(axis=-1, keepdims=True))
            out[:, h, :] = (p / p.sum(axis=-1, keepdims=True)) @ vals[:, h // group, :]
        return out.reshape(q.shape[0], -1).astype(np.float32)

    def step(self, tokens, last_only=False):
        """Logits [T, vocab] of every row, or [1, vocab] of the last (as lmc computes them
        when only the next token is wanted: the output projection then sees one row)."""
        pm, cfg = self.pm, self.cfg
        tokens = np.asarray(tokens, dtype=np.int64)
        positions = np.arange(self.pos, self.pos + len(tokens))
        x = pm.embed[tokens].astype(np.float32) * np.float32(cfg.embed_scale)
        if pm.model.pos_embed is not None:
            x = x + pm.model.pos_embed[positions]
        for i, (L, W) in enumerate(zip(pm.model.layers, pm.layers)):
            x = (self._gpt2_block if cfg.arch == "gpt2" else self._block)(i, L, W, x, positions)
        f = pm.model.final_norm
        x = layer_norm(x, f["w"], f["b"], cfg.eps) if cfg.arch == "gpt2" else rms_norm(x, f["w"], cfg.eps)
        self.pos += len(tokens)
        if last_only:
            x = x[-1:]
        logits = self._linear(pm.head, x)
        if cfg.final_softcap:
            c = np.float64(cfg.final_softcap)
            logits = (c * np.tanh(logits.astype(np.float64) / c)).astype(np.float32)
        return logits

    def _linear(self, lin, x):
        return self.pm.apply(lin, x)

    def _heads(self, y, n):
        return y.reshape(y.shape[0], n, self.cfg.head_dim)

    def _normed_heads(self, y, w, n):
        """Rows y [T, n * head_dim] as n heads, RMS-normalized by w where the layer has it. The
        weight's length says over what, in either file: one head's (Qwen 3, Gemma 3: each head
        on its own) or all n heads' (OLMoE's OlmoeAttention: the whole projection, before the
        split). With one head the two are the same norm, so the length cannot mislead."""
        cfg = self.cfg
        if w is not None and w.shape[-1] != cfg.head_dim:
            return self._heads(rms_norm(y, w, cfg.eps), n)
        y = self._heads(y, n)
        return y if w is None else rms_norm(y, w, cfg.eps)

    def _block(self, i, L, W, x, positions):
        """Gemma 3's and the Llama-like families' layer; the optional norms are applied
        where the layer has their weights."""
        cfg, lin = self.cfg, self._linear
        h = rms_norm(x, L["attn_norm"], cfg.eps)
        q = self._normed_heads(lin(W["q"], h), L.get("q_norm"), cfg.n_heads)
        k = self._normed_heads(lin(W["k"], h), L.get("k_norm"), cfg.n_kv_heads)
        v = self._heads(lin(W["v"], h), cfg.n_kv_heads)
        factors = cfg.rope_layer_divisors[i] if cfg.rope_layer_divisors else cfg.rope_factors
        q, k = (rope(q, positions, cfg.rope_bases[i], factors, cfg.rotary_dim, cfg.rope_yarn, cfg.rope_attn,
                     cfg.rope_dynamic),
                rope(k, positions, cfg.rope_bases[i], factors, cfg.rotary_dim, cfg.rope_yarn, cfg.rope_attn,
                     cfg.rope_dynamic))
        a = lin(W["o"], self.attention(i, q, k, v, positions))
        if "post_attn_norm" in L:
            a = rms_norm(a, L["post_attn_norm"], cfg.eps)
        x = x + a
        h = rms_norm(x, L["ffn_norm"], cfg.eps)
        if "router" in W:
            f = self._experts(W, h)
        else:
            f = lin(W["down"], ACTIVATIONS[cfg.act](lin(W["gate"], h)) * lin(W["up"], h))
        if "post_ffn_norm" in L:
            f = rms_norm(f, L["post_ffn_norm"], cfg.eps)
        return x + f

    def _experts(self, W, h):
        """transformers' Qwen3MoeSparseMoeBlock, Qwen2MoeSparseMoeBlock, OlmoeSparseMoeBlock and
        MixtralSparseMoeBlock, as lmc's moe_route, expert_linear and expert_sum compute it: the
        softmax of the router's logits (in f64), each row's k most probable experts (the lower
        index first among equals), their probabilities as the weights (renormalized to sum 1
        with norm_topk), and the weighted sum of those experts' gated MLPs, each expert's
        product a plain linear of its [N, K]. A shared expert (Qwen2-MoE's) adds its gated MLP,
        every row's, times sigmoid of the row's one shared-gate logit (in f64)."""
        cfg, lin = self.cfg, self._linear
        logits = lin(W["router"], h).astype(np.float64)
        probs = np.exp(logits - logits.max(axis=-1, keepdims=True))
        probs /= probs.sum(axis=-1, keepdims=True)
        chosen = np.argsort(-probs, axis=-1, kind="stable")[:, :cfg.n_experts_used]
        weights = np.take_along_axis(probs, chosen, axis=-1)
        if cfg.norm_topk:
            weights /= weights.sum(axis=-1, keepdims=True)
        out = np.zeros(h.shape, dtype=np.float64)
        for e in np.unique(chosen):
            rows, slots = np.nonzero(chosen == e)  # a row takes an expert at most once
            expert = lambda key: Linear(W[key].w[e], None, W[key].quantized, W[key].act_group)
            m = ACTIVATIONS[cfg.act](lin(expert("gate_exps"), h[rows])) * lin(expert("up_exps"), h[rows])
            out[rows] += weights[rows, slots, None] * lin(expert("down_exps"), m)
        if "gate_shexp" in W:
            shared = lin(W["down_shexp"], ACTIVATIONS[cfg.act](lin(W["gate_shexp"], h)) * lin(W["up_shexp"], h))
            gate = 1 / (1 + np.exp(-lin(W["shexp_gate"], h).astype(np.float64)))  # [T, 1]
            out += gate * shared
        return out.astype(np.float32)

    def _gpt2_block(self, i, L, W, x, positions):
        cfg, lin = self.cfg, self._linear
        h = layer_norm(x, *L["ln_1"], cfg.eps)
        q, k, v = np.split(lin(W["qkv"], h), 3, axis=1)
        a = self.attention(i, self._heads(q, cfg.n_heads), self._heads(k, cfg.n_heads),
                           self._heads(v, cfg.n_heads), positions)
        x = x + lin(W["o"], a)
        h = layer_norm(x, *L["ln_2"], cfg.eps)
        return x + lin(W["proj"], gelu_tanh(lin(W["fc"], h)))


def generate(pm, prompt, steps, path=None, all_logits=True, pickable=None):
    """Greedy generation: the prompt, then one token per step, `steps` tokens in all.

    Returns (logits [len(prompt) + steps - 1, vocab], the argmax after each row that yields
    a token). With `path` (the tokens chosen elsewhere, e.g. by lmc), those are fed back
    instead of the reference's own choices, so a near-tie cannot derail the comparison;
    the decode rows then run as one batch. Without
    `all_logits` the prompt yields only its last row's logits, as a plain lmc run does.
    With `pickable` only the first that many ids are chosen (the ones a tokenizer has: a
    model's padding rows past them never are, as in lmc's sampler).
    """
    s = Session(pm)
    rows = [s.step(prompt, last_only=not all_logits)]
    if path is not None and steps > 1:
        rows.append(s.step(path[:steps - 1]))
    else:
        for _ in range(1, steps):
            rows.append(s.step([int(np.argmax(rows[-1][-1, :pickable]))]))
    logits = np.concatenate(rows)
    first = len(prompt) - 1 if all_logits else 0
    return logits, [int(t) for t in np.argmax(logits[first:, :pickable], axis=1)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("weights", help="a .gguf file or a Hugging Face directory")
    ap.add_argument("--tokens", required=True, help="prompt token ids, comma-separated")
    ap.add_argument("--decode", type=int, default=16, help="greedy tokens to produce")
    ap.add_argument("--q8", action="store_true", help="mirror lmc's default Q8_0 pipeline")
    ap.add_argument("--quant-min-dim", type=int, default=0)
    ap.add_argument("--cache", choices=["f32", "f16", "q8_0"], default="f32", help="the KV cache's dtype")
    ap.add_argument("--logits-out", help="write the logits as float32 .npy")
    args = ap.parse_args()
    plan = Q8Plan(min_dim=args.quant_min_dim) if args.q8 else None
    pm = load_model(args.weights).prepared(plan, args.cache)
    logits, tokens = generate(pm, [int(t) for t in args.tokens.split(",")], args.decode)
    if args.logits_out:
        np.save(args.logits_out, logits)
    json.dump({"tokens": tokens}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
