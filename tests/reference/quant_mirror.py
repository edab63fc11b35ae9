"""The reference's mirror of lmc's number formats: ggml's Q8_0 round trip of a weight
(q8_0_round_trip), the int8 rounding of the integer kernels' input rows (q8_act_round_trip:
q8_0 per 32, q8_K per 256), a KV cache row as lmc stores it (cache_round_trip), and the
PreparedModel whose linears are rounded where a Q8Plan says lmc's pipeline quantizes.

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
to f16 when a head is not a whole number of blocks. Part of the numpy reference
(reference_forward.py).
"""
import copy
import dataclasses
from dataclasses import dataclass

import numpy as np

Q8_BLOCK = 32


def q8_0_round_trip(w):
    """w [N, K] through ggml's reference Q8_0 quantizer and back (K % 32 == 0)."""
    n, k = w.shape
    out = np.empty_like(w, dtype=np.float32)
    # About 1 MB of rows at a time: the half dozen temporaries stay in the cache, which
    # makes a MoE layer's 600M weights three times faster than whole-table passes did.
    rows = max(1, (1 << 18) // k)
    for r0 in range(0, n, rows):
        blocks = w[r0:r0 + rows].reshape(-1, k // Q8_BLOCK, Q8_BLOCK).astype(np.float32, copy=False)
        d = (np.abs(blocks).max(axis=-1) / np.float32(127)).astype(np.float32)
        inv = np.divide(np.float32(1), d, out=np.zeros_like(d), where=d != 0)
        scaled = blocks * inv[..., None]
        q = np.rint(scaled)
        # lround rounds half away from zero where rint took the even neighbour; an f32's
        # distance to an integer is exact, so ties are seen exactly, and x.5 + 0.5 is exact.
        tie = np.abs(scaled - q) == 0.5
        if tie.any():
            np.copyto(q, scaled + np.copysign(np.float32(0.5), scaled), where=tie)
        q *= d.astype(np.float16).astype(np.float32)[..., None]
        out[r0:r0 + rows] = q.reshape(-1, k)
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
