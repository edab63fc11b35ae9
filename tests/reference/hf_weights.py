"""The reference's Hugging Face reader: a directory's model.safetensors (F32, F16, BF16, one
file or an index of shards) and config.json, read by a few lines of numpy, and the model they
describe: gpt2, gemma3_text, gemma2, and the Llama-like model_types llama, mistral, mixtral,
qwen2, qwen3, qwen3_moe, qwen2_moe, olmoe and phi3 (reference_model.py's Config and Model;
an HF checkpoint has each expert's own matrices, which are stacked here as a GGUF holds
them). Part of the numpy reference (reference_forward.py).
"""
import json
import math
import os
import struct

import numpy as np

from reference_model import Config, Model, gemma_layers, global_layer_divisors, llama_like_layer


def bf16_to_f32(bits):
    """BF16 bits (uint16) as the f32s whose upper halves they are, shifted in place (a MoE
    layer's 1.5 GB GGUF reads in 5.2 s where gguf-py's row-grouped dequantize took 7.5)."""
    wide = bits.astype(np.uint32)
    wide <<= 16
    return wide.view(np.float32)


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
            a = bf16_to_f32(raw.view(np.uint16))
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



# model_type values of Llama-like Hugging Face checkpoints.
HF_LLAMA_LIKE = ("llama", "mistral", "mixtral", "qwen2", "qwen3", "qwen3_moe", "qwen2_moe", "olmoe", "phi3")
# A mixture of experts' HF names, by model_type: the module holding the router (gate) and the
# experts, and an expert's gate, up and down matrices.
HF_EXPERT_NAMES = {"qwen3_moe": ("mlp", "gate_proj", "up_proj", "down_proj"),
                   "qwen2_moe": ("mlp", "gate_proj", "up_proj", "down_proj"),
                   "olmoe": ("mlp", "gate_proj", "up_proj", "down_proj"),
                   "mixtral": ("block_sparse_moe", "w1", "w3", "w2")}


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
        layers.append(llama_like_layer(p, head_dim * n_heads, head_dim * n_kv, "input_layernorm.weight",
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
            bases, windows = gemma_layers(n_layers, 2, c["sliding_window"], c.get("rope_theta", 10000.0),
                                           c.get("rope_theta", 10000.0), c.get("layer_types"))
        else:
            bases, windows = gemma_layers(n_layers, c.get("sliding_window_pattern", 6), c["sliding_window"],
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
            cfg.rope_layer_divisors = global_layer_divisors(windows, float(scaling["factor"]))
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
