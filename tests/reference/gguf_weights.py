"""The reference's GGUF reader: a llama.cpp GGUF's tensors through the `gguf` package
(gguf_file.py reads the container, gguf.quants.dequantize the values), and the model they
describe: gemma3, gemma2, and the Llama-like architectures llama (also Mistral's and
Mixtral's files, the latter with experts), qwen2, qwen3, qwen3moe, qwen2moe, olmoe and phi3
(reference_model.py's Config and Model). llama.cpp's converter stores Gemma's RMSNorm
weights with the +1 already added, and permutes the q/k rows of "llama" files so that RoPE
rotates adjacent pairs; the permutation is undone here so RoPE runs exactly as HF's
rotate_half does. Part of the numpy reference (reference_forward.py).
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_file import GgufFile  # noqa: E402
from hf_weights import bf16_to_f32  # noqa: E402
from reference_model import Config, Model, gemma_layers, global_layer_divisors, llama_like_layer  # noqa: E402

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
        if q in converted:
            values = raw.view(converted[q]).astype(np.float32)
        elif q == gguf.GGMLQuantizationType.BF16:
            values = bf16_to_f32(raw.view(np.uint16))
        else:
            values = gguf.quants.dequantize(raw, q)
        tensors[t.name] = np.ascontiguousarray(values, dtype=np.float32).reshape(shape)
    return meta, tensors




def _unpermute_rope_rows(w, n_heads):
    """Inverse of llama.cpp's convert permute: rows back in HF's [half, half] RoPE order."""
    out_dim = w.shape[0]
    half = out_dim // n_heads // 2
    return np.ascontiguousarray(w.reshape(n_heads, half, 2, -1).swapaxes(1, 2).reshape(out_dim, -1))



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
            bases, windows = gemma_layers(n_layers, 6, int(g("attention.sliding_window")), 10000.0,
                                           float(g("rope.freq_base")))
            query_scale = head_dim ** -0.5
        else:
            # llama.cpp's gemma2: one rope base, 4096 and the caps 50 and 30 when the file has no key;
            # the 46-layer 27B scales queries by (d_model / heads)^-1/2, the others by head_dim^-1/2.
            base = float(g("rope.freq_base", 10000.0))
            bases, windows = gemma_layers(n_layers, 2, int(g("attention.sliding_window", 4096)), base, base)
            query_scale = (d_model // n_heads if n_layers == 46 else head_dim) ** -0.5
        cfg = Config("gemma3", d_model, n_layers, n_heads, n_kv, head_dim, eps, vocab, bases, windows,
                     query_scale, math.sqrt(d_model), "gelu_tanh")
        if arch == "gemma3" and g("rope.scaling.type", "none") == "linear":
            cfg.rope_layer_divisors = global_layer_divisors(windows, float(g("rope.scaling.factor")))
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
            L = llama_like_layer(p, head_dim * n_heads, head_dim * n_kv, "attn_norm.weight", "attn_q", "attn_k",
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
