"""The random weights of make_random_checkpoint.py's checkpoints: each family's tensors in HF's
names and file order (name, shape, std, mean), a mixture of experts' per-expert matrices,
and the model.safetensors writer (F32 or BF16, in bounded chunks of rows).
"""
import json
import struct

import numpy as np

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
