"""The reference's description of a model, whichever file it came from: its Config (sizes,
per-layer RoPE bases and windows, scalings, soft-caps, expert routing), the Model that holds
its arrays (every linear as [out, in]), and the pieces both readers (gguf_weights.py,
hf_weights.py) share: Gemma's per-layer pattern and the Llama-like layer, one block for every
Llama-like family, driven by what its weights hold. Part of the numpy reference
(reference_forward.py).
"""
from dataclasses import dataclass

import numpy as np

from quant_mirror import PreparedModel


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


def gemma_layers(n_layers, pattern, window, local_base, global_base, layer_types=None):
    """Per-layer (rope base, window): every `pattern`-th layer is global (Gemma 3: 6, Gemma 2: 2,
    so that layers 0, 2, 4 ... slide)."""
    bases, windows = [], []
    for i in range(n_layers):
        is_global = layer_types[i] == "full_attention" if layer_types else (i + 1) % pattern == 0
        bases.append(global_base if is_global else local_base)
        windows.append(0 if is_global else window)
    return bases, windows



def global_layer_divisors(windows, factor):
    """Gemma 3's linear RoPE scaling: the global layers' (window 0) positions divided by
    `factor`, the sliding-window layers' not."""
    return [factor if w == 0 else 1.0 for w in windows]



def llama_like_layer(p, q_rows, kv_rows, attn_norm, q, k, v, qkv, o, q_norm, k_norm, ffn_norm, gate, up, gate_up,
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



class Model:
    def __init__(self, cfg, embed, layers, final_norm, head):
        self.cfg, self.embed, self.layers, self.final_norm, self.head = cfg, embed, layers, final_norm, head
        self.pos_embed = None

    def prepared(self, plan=None, cache="f32"):
        """The weights as Linear objects, Q8_0-rounded where `plan` says lmc quantizes, and
        the KV cache's dtype."""
        return PreparedModel(self, plan, cache)
