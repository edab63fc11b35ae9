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
The weights are read by gguf_weights.py (a GGUF) and hf_weights.py (a Hugging Face
directory) into reference_model.py's Model; quant_mirror.py optionally rounds them as lmc's
Q8_0 pipeline does (Q8Plan) and stores the KV cache as lmc's kv-cache-type pass does (f16 or
q8_0). This module holds the forward pass itself: the ops, RoPE and its scalings, the
attention over a KV cache (Session), the mixture of experts, and greedy generation.

Usage (the test drivers import this module; the CLI is for poking at a model):
  reference_forward.py WEIGHTS --tokens 2,651,6037 [--decode N] [--q8] [--cache f16] [--logits-out F.npy]
prints {"tokens": [...greedy...]} as JSON.
"""
import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_weights import model_from_gguf  # noqa: E402
from hf_weights import model_from_hf_dir  # noqa: E402
from quant_mirror import Linear, Q8Plan, cache_round_trip  # noqa: E402


def load_model(path):
    return model_from_gguf(path) if path.endswith(".gguf") else model_from_hf_dir(path)


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
    # x * x * x: numpy's x ** 3 calls pow per element, five times slower.
    return (0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * (x * x * x))))).astype(np.float32)


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

    def attention(self, i, q, k, v, positions, key_ends):
        cfg = self.cfg
        k = cache_round_trip(k, self.pm.cache, cfg.keys_interleaved)
        v = cache_round_trip(v, self.pm.cache)
        self.k[i] = k if self.k[i] is None else np.concatenate([self.k[i], k])
        self.v[i] = v if self.v[i] is None else np.concatenate([self.v[i], v])
        keys, vals = self.k[i].astype(np.float64), self.v[i].astype(np.float64)
        kpos = np.arange(keys.shape[0])
        visible = kpos[None, :] <= key_ends[:, None]
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

    def step(self, tokens, last_only=False, images=(), joint=True):
        """Logits [T, vocab] of every row, or [1, vocab] of the last (as lmc computes them
        when only the next token is wanted: the output projection then sees one row).
        images: (row, embeddings [n, d_model]) pairs, see hidden()."""
        x = self.hidden(tokens, images, joint)
        if last_only:
            x = x[-1:]
        logits = self._linear(self.pm.head, x)
        if self.cfg.final_softcap:
            c = np.float64(self.cfg.final_softcap)
            logits = (c * np.tanh(logits.astype(np.float64) / c)).astype(np.float32)
        return logits

    def hidden(self, tokens, images=(), joint=True):
        """The final norm's rows [T, d_model]: what the output projection reads, and what
        lmc serve --embeddings pools. images: (row, embeddings [n, d_model]) pairs, an
        image's soft tokens as Gemma 3 reads them (HF's masked_scatter after the embedding's
        scale): rows row .. row + n - 1 take the embeddings instead of their tokens', and
        attend to each other (each to the image's last row, causal elsewhere); with joint
        False they attend causally (LLaVA's)."""
        pm, cfg = self.pm, self.cfg
        tokens = np.asarray(tokens, dtype=np.int64)
        positions = np.arange(self.pos, self.pos + len(tokens))
        key_ends = positions.copy()
        x = pm.embed[tokens].astype(np.float32) * np.float32(cfg.embed_scale)
        for row, e in images:
            x[row:row + len(e)] = e
            if joint:
                key_ends[row:row + len(e)] = positions[row + len(e) - 1]
        if pm.model.pos_embed is not None:
            x = x + pm.model.pos_embed[positions]
        for i, (L, W) in enumerate(zip(pm.model.layers, pm.layers)):
            x = (self._gpt2_block if cfg.arch == "gpt2" else self._block)(i, L, W, x, positions, key_ends)
        f = pm.model.final_norm
        x = layer_norm(x, f["w"], f["b"], cfg.eps) if cfg.arch == "gpt2" else rms_norm(x, f["w"], cfg.eps)
        self.pos += len(tokens)
        return x

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

    def _block(self, i, L, W, x, positions, key_ends):
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
        a = lin(W["o"], self.attention(i, q, k, v, positions, key_ends))
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

    def _gpt2_block(self, i, L, W, x, positions, key_ends):
        cfg, lin = self.cfg, self._linear
        h = layer_norm(x, *L["ln_1"], cfg.eps)
        q, k, v = np.split(lin(W["qkv"], h), 3, axis=1)
        a = self.attention(i, self._heads(q, cfg.n_heads), self._heads(k, cfg.n_heads),
                           self._heads(v, cfg.n_heads), positions, key_ends)
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
