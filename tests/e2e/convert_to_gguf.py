#!/usr/bin/env python3
"""Writes a llama.cpp-style GGUF of a Hugging Face checkpoint made by
make_random_checkpoint.py (qwen2, qwen3, qwen3moe, qwen2moe, olmoe, mistral, mixtral, phi3,
gemma3, gemma2), as llama.cpp's converter lays it out, so the end-to-end tests can run the same
weights from both formats:

  convert_to_gguf.py CHECKPOINT_DIR [OUT.gguf]      (default CHECKPOINT_DIR.gguf, beside the folder)

  * general.architecture: qwen2, qwen3, phi3, olmoe as the model_type; qwen3_moe is
    "qwen3moe", qwen2_moe "qwen2moe"; Mistral and Mixtral are "llama", whose q and k rows
    llama.cpp permutes so RoPE rotates adjacent pairs; the others keep HF's order;
    gemma3_text is "gemma3", gemma2 "gemma2".
    Mistral's and Phi-3's sliding window is written as attention.sliding_window.
  * Tensors keep their BF16 values (no rounding), under llama.cpp's names; Phi-3's fused
    qkv_proj and gate_up_proj stay fused (attn_qkv, ffn_up); a tied head has no output.weight.
  * Qwen3-MoE (llama.cpp's Qwen3MoeModel): the router as ffn_gate_inp [E, d] (in BF16 too:
    llama.cpp's converter writes it in F32, the same values), and each of the experts'
    matrices stacked into one tensor per layer, expert m at index m: ffn_gate_exps and
    ffn_up_exps [E, F, d], ffn_down_exps [E, d, F] (numpy's order). Its keys add
    expert_count, expert_used_count and expert_feed_forward_length to Qwen 3's.
  * Qwen2-MoE (llama.cpp's Qwen2MoeModel): Qwen 2's layout (q/k/v biases, q/k rows in HF's
    order: llama.cpp ropes qwen2moe in NEOX pairs) with the router and experts as Qwen3-MoE's,
    and the shared expert's matrices as ffn_gate_shexp, ffn_up_shexp [S, d] and
    ffn_down_shexp [d, S] (BF16). Its gate, HF's shared_expert_gate [1, d], is
    ffn_gate_inp_shexp, one-dimensional [d] in F32 (the same values): llama.cpp's converter
    squeezes every tensor and writes the 1-d ones in F32, and its loader creates the tensor as
    {n_embd}. Its keys: Qwen 2's (feed_forward_length is intermediate_size, which llama.cpp
    reads only for an expert width the file does not give), expert_count, expert_used_count,
    expert_feed_forward_length (moe_intermediate_size) and expert_shared_feed_forward_length
    (shared_expert_intermediate_size); nothing for norm_topk_prob: llama.cpp's qwen2moe never
    renormalizes, so a config with it true is refused rather than written wrong.
  * OLMoE (llama.cpp's OlmoeModel): the Llama keys (feed_forward_length is intermediate_size,
    each expert's width, which llama.cpp's olmoe reads for its experts), expert_count and
    expert_used_count, nothing for norm_topk_prob (llama.cpp's olmoe never renormalizes);
    q/k rows in HF's order (llama.cpp ropes olmoe in NEOX pairs, as HF's rotate_half does);
    q_norm and k_norm, each as wide as all its heads, as attn_q_norm and attn_k_norm; the
    experts stacked as Qwen3-MoE's. llama.cpp's converter writes layer_norm_rms_epsilon as
    1e-5 whatever the config says; this one writes the config's (1e-5 in OLMoE's too).
  * Mixtral (llama.cpp's LlamaModel, which takes MixtralForCausalLM): Mistral's layout with
    expert_count (num_local_experts) and expert_used_count, feed_forward_length the width of
    each expert; the router (block_sparse_moe.gate) as ffn_gate_inp and the experts stacked
    as Qwen3-MoE's, w1 into ffn_gate_exps, w3 into ffn_up_exps, w2 into ffn_down_exps. No key
    says to renormalize the 2 weights: llama.cpp's llama graph always does, as HF's Mixtral.
  * Gemma 3 (llama.cpp's Gemma3Model): every RMSNorm weight (the four per block, q_norm,
    k_norm, the final norm) is stored as 1 + w in F32, since HF's Gemma3RMSNorm multiplies
    by (1 + w) and llama.cpp's by the stored weight; the embedding keeps only the rows the
    vocabulary has. Its hyperparameters: head_dim as attention.key_length/value_length,
    rope_theta as rope.freq_base (the global layers'), rope_local_base_freq as
    rope.freq_base_swa, attention.sliding_window, a linear rope_scaling as
    rope.scaling.type/factor, final_logit_softcapping when set. The file has no key for
    the sliding-window pattern or query_pre_attn_scalar: llama.cpp's loader assumes every
    6th layer global and a query scale of head_dim^-1/2 (hidden_size/heads on the 62-layer
    27B), so a config that says otherwise is refused rather than written wrong.
  * Gemma 2 (llama.cpp's Gemma2Model): the same norms stored as 1 + w, without q_norm and
    k_norm; its keys: head_dim as attention.key_length/value_length, attn_logit_softcapping,
    final_logit_softcapping, attention.sliding_window, and no rope base. llama.cpp's loader
    assumes layers 0, 2, 4 ... sliding, rope base 10000 and the query scale of Gemma 3's
    rule (hidden_size/heads on the 46-layer 27B): a config that says otherwise is refused.
  * The vocabulary: byte-level BPE (tokenizer.ggml.model gpt2, pre qwen2) with its merges,
    or SentencePiece (llama) with scores that rank the pieces in the order of the merges
    that make them, byte tokens typed BYTE, BOS, and a space prefix when tokenizer.json's
    normalizer prepends one (Llama's does, Gemma's does not). Gemma 3's as llama.cpp
    writes it from tokenizer.model and tokenizer_config.json: pre "default", the special
    tokens (<unk> too) typed CONTROL and scored -1000, and the padding token's id.

Like the generator, it does nothing when the output's stamp matches the checkpoint's.
"""
import json
import math
import os
import struct
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType, LazyNumpyTensor, TokenType

ARCH = {"qwen2": "qwen2", "qwen3": "qwen3", "qwen3_moe": "qwen3moe", "qwen2_moe": "qwen2moe", "olmoe": "olmoe",
        "mistral": "llama", "mixtral": "llama", "llama": "llama", "phi3": "phi3", "gemma3_text": "gemma3",
        "gemma2": "gemma2"}
GEMMA = ("gemma3", "gemma2")

LAYER_NAMES = {
    "input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.v_proj.weight": "attn_v.weight", "self_attn.q_proj.bias": "attn_q.bias",
    "self_attn.k_proj.bias": "attn_k.bias", "self_attn.v_proj.bias": "attn_v.bias",
    "self_attn.qkv_proj.weight": "attn_qkv.weight", "self_attn.o_proj.weight": "attn_output.weight",
    "self_attn.q_norm.weight": "attn_q_norm.weight", "self_attn.k_norm.weight": "attn_k_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.gate_up_proj.weight": "ffn_up.weight", "mlp.down_proj.weight": "ffn_down.weight",
    "mlp.gate.weight": "ffn_gate_inp.weight", "block_sparse_moe.gate.weight": "ffn_gate_inp.weight",
    # Qwen2-MoE's shared expert and its sigmoid gate.
    "mlp.shared_expert.gate_proj.weight": "ffn_gate_shexp.weight",
    "mlp.shared_expert.up_proj.weight": "ffn_up_shexp.weight",
    "mlp.shared_expert.down_proj.weight": "ffn_down_shexp.weight",
    "mlp.shared_expert_gate.weight": "ffn_gate_inp_shexp.weight",
}
# An expert's matrix (model.layers.{i}.mlp.experts.{m}.<key>, block_sparse_moe in place of mlp
# in Mixtral) and the stacked tensor it joins.
EXPERT_NAMES = {"gate_proj.weight": "ffn_gate_exps.weight", "up_proj.weight": "ffn_up_exps.weight",
                "down_proj.weight": "ffn_down_exps.weight", "w1.weight": "ffn_gate_exps.weight",
                "w3.weight": "ffn_up_exps.weight", "w2.weight": "ffn_down_exps.weight"}
# Gemma 3 (and 2) has four norms per block: its post_attention_layernorm follows attention (it is
# not the FFN's input norm, as in Llama), pre_feedforward_layernorm is the FFN's.
GEMMA3_LAYER_NAMES = LAYER_NAMES | {
    "post_attention_layernorm.weight": "post_attention_norm.weight",
    "pre_feedforward_layernorm.weight": "ffn_norm.weight",
    "post_feedforward_layernorm.weight": "post_ffw_norm.weight",
}
TOP_NAMES = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
             "lm_head.weight": "output.weight"}


def gguf_name(hf, arch):
    if hf in TOP_NAMES:
        return TOP_NAMES[hf]
    _, _, i, rest = hf.split(".", 3)  # model.layers.{i}.rest
    return f"blk.{i}.{(GEMMA3_LAYER_NAMES if arch in GEMMA else LAYER_NAMES)[rest]}"


def bf16_tensors(path):
    """name -> uint16 array of the BF16 bits, in file order."""
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
    data = np.memmap(path, dtype=np.uint8, mode="r", offset=8 + n)
    for name, t in header.items():
        if name == "__metadata__":
            continue
        if t["dtype"] != "BF16":
            sys.exit(f"{path}: {name} is {t['dtype']}; the converter expects BF16")
        begin, end = t["data_offsets"]
        yield name, data[begin:end].view(np.uint16).reshape(t["shape"])


def permute_rope_rows(w, n_heads):
    """llama.cpp's permute: each head's rows from HF's [half, half] to interleaved pairs."""
    rows = w.shape[0]
    return np.ascontiguousarray(w.reshape(n_heads, 2, rows // n_heads // 2, -1).swapaxes(1, 2).reshape(w.shape))


def bf16_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def n_experts(c):
    """The experts per layer of a mixture of experts (Mixtral's num_local_experts), else 0."""
    return c.get("num_experts") or c.get("num_local_experts") or 0


def write_hparams(w, c):
    d, n_heads = c["hidden_size"], c["num_attention_heads"]
    head_dim = c.get("head_dim") or d // n_heads
    w.add_block_count(c["num_hidden_layers"])
    w.add_context_length(c["max_position_embeddings"])
    w.add_embedding_length(d)
    w.add_feed_forward_length(c["intermediate_size"])
    w.add_head_count(n_heads)
    w.add_head_count_kv(c["num_key_value_heads"])
    w.add_layer_norm_rms_eps(c["rms_norm_eps"])
    w.add_rope_freq_base(c["rope_theta"])
    if c.get("head_dim"):
        w.add_key_length(head_dim)
        w.add_value_length(head_dim)
    if c["model_type"] == "phi3":  # the rotary part of a head (Phi-4-mini: 0.75 of it)
        w.add_rope_dimension_count(int(head_dim * c.get("partial_rotary_factor", 1.0)))
    if n_experts(c):  # as the converter's TextModel and Qwen2MoeModel
        w.add_expert_count(n_experts(c))
        w.add_expert_used_count(c["num_experts_per_tok"])
    if c.get("moe_intermediate_size"):  # OLMoE has none: its experts are feed_forward_length wide
        w.add_expert_feed_forward_length(c["moe_intermediate_size"])
    if c.get("shared_expert_intermediate_size"):  # Qwen2-MoE's shared expert, as Qwen2MoeModel
        w.add_expert_shared_feed_forward_length(c["shared_expert_intermediate_size"])
    if c["model_type"] in ("mistral", "phi3") and c.get("sliding_window"):
        w.add_sliding_window(c["sliding_window"])
    scaling = c.get("rope_scaling") or {}
    if scaling.get("rope_type", scaling.get("type")) == "longrope":  # as the converter's Phi3MiniModel
        original = c["original_max_position_embeddings"]
        growth = c["max_position_embeddings"] / original
        w.add_rope_scaling_orig_ctx_len(original)
        w.add_rope_scaling_attn_factors(math.sqrt(1 + math.log(growth) / math.log(original)) if growth > 1 else 1.0)
    if scaling.get("rope_type", scaling.get("type")) == "yarn":  # as the converter's Qwen2/Qwen3
        w.add_rope_scaling_type(gguf.RopeScalingType.YARN)
        w.add_rope_scaling_factor(scaling["factor"])
        w.add_rope_scaling_orig_ctx_len(scaling["original_max_position_embeddings"])


def llama3_rope_freqs(head_dim, base, factor, low, high, original_context):
    """Llama 3.1+'s rope_scaling as per-pair divisors of the frequencies, rope_freqs.weight, as
    llama.cpp's converter (LlamaModel.generate_extra_tensors) writes them: 1 for short
    wavelengths, `factor` for long ones, a smooth blend between."""
    out = []
    for i in range(head_dim // 2):
        wavelen = 2 * np.pi / base ** (-2.0 * i / head_dim)
        if wavelen < original_context / high:
            out.append(1.0)
        elif wavelen > original_context / low:
            out.append(factor)
        else:
            smooth = (original_context / wavelen - low) / (high - low)
            out.append(1 / ((1 - smooth) / factor + smooth))
    return np.array(out, dtype=np.float32)


def gemma3_unwritable(c):
    """What a Gemma 3 config says that its GGUF cannot, llama.cpp's loader assuming
    otherwise (src/models/gemma3.cpp): the reasons to refuse it."""
    problems = []
    if c.get("attn_logit_softcapping") is not None:
        problems.append("attn_logit_softcapping is set (Gemma 3 has none; llama.cpp's converter asserts it)")
    # The 62-layer 27B scales queries by (hidden_size / heads)^-1/2, every other size by head_dim^-1/2.
    expected = c["hidden_size"] // c["num_attention_heads"] if c["num_hidden_layers"] == 62 else c["head_dim"]
    if c.get("query_pre_attn_scalar", expected) != expected:
        problems.append(f"query_pre_attn_scalar {c['query_pre_attn_scalar']} (llama.cpp assumes {expected})")
    pattern = c.get("sliding_window_pattern", 6)
    if pattern not in (1, 6):
        problems.append(f"sliding_window_pattern {pattern} (llama.cpp assumes 6, or no window at all)")
    if c.get("layer_types"):
        every_6th = ["full_attention" if (i + 1) % 6 == 0 else "sliding_attention"
                     for i in range(c["num_hidden_layers"])]
        if c["layer_types"] != every_6th:
            problems.append("layer_types is not every 6th layer global")
    return problems


def write_gemma_common(w, c, problems):
    """The keys both Gemma converters write, once what the config says that a GGUF cannot
    (`problems`) has stopped the conversion."""
    if problems:
        sys.exit("a GGUF cannot say: " + "; ".join(problems))
    w.add_block_count(c["num_hidden_layers"])
    w.add_context_length(c["max_position_embeddings"])
    w.add_embedding_length(c["hidden_size"])
    w.add_feed_forward_length(c["intermediate_size"])
    w.add_head_count(c["num_attention_heads"])
    w.add_head_count_kv(c["num_key_value_heads"])
    w.add_layer_norm_rms_eps(c["rms_norm_eps"])
    w.add_key_length(c["head_dim"])
    w.add_value_length(c["head_dim"])


def write_gemma3_hparams(w, c):
    """The keys llama.cpp's Gemma3Model writes."""
    write_gemma_common(w, c, gemma3_unwritable(c))
    scaling = c.get("rope_scaling") or {}
    kind = scaling.get("rope_type", scaling.get("type"))
    # Gemma 3 4B and up scale the global layers' positions linearly.
    if kind == "linear" and scaling.get("factor") is not None:
        w.add_rope_scaling_type(gguf.RopeScalingType.LINEAR)
        w.add_rope_scaling_factor(scaling["factor"])
    elif kind not in (None, "default"):
        sys.exit(f"rope_scaling {kind!r}: llama.cpp's Gemma 3 takes linear scaling only")
    w.add_rope_freq_base(c["rope_theta"])
    if c.get("rope_local_base_freq") is not None:
        w.add_rope_freq_base_swa(c["rope_local_base_freq"])
    if c.get("final_logit_softcapping"):
        w.add_final_logit_softcapping(c["final_logit_softcapping"])
    if c.get("sliding_window_pattern") != 1:
        w.add_sliding_window(c["sliding_window"])


def gemma2_unwritable(c):
    """What a Gemma 2 config says that its GGUF cannot (llama.cpp's gemma2 loader and graph
    assume otherwise): the reasons to refuse it."""
    problems = []
    expected = c["hidden_size"] // c["num_attention_heads"] if c["num_hidden_layers"] == 46 else c["head_dim"]
    if c.get("query_pre_attn_scalar") != expected:
        problems.append(f"query_pre_attn_scalar {c.get('query_pre_attn_scalar')} (llama.cpp assumes {expected})")
    if c.get("rope_theta", 10000.0) != 10000.0 or c.get("rope_scaling"):
        problems.append("rope_theta other than 10000 or a rope_scaling (the converter writes no rope key)")
    for key in ("attn_logit_softcapping", "final_logit_softcapping", "sliding_window"):
        if c.get(key) is None:
            problems.append(f"{key} is null (the converter writes its value)")
    alternating = ["sliding_attention" if i % 2 == 0 else "full_attention" for i in range(c["num_hidden_layers"])]
    if c.get("layer_types") and c["layer_types"] != alternating:
        problems.append("layer_types is not even layers sliding, odd global")
    return problems


def write_gemma2_hparams(w, c):
    """The keys llama.cpp's Gemma2Model writes."""
    write_gemma_common(w, c, gemma2_unwritable(c))
    w.add_attn_logit_softcapping(c["attn_logit_softcapping"])
    w.add_final_logit_softcapping(c["final_logit_softcapping"])
    w.add_sliding_window(c["sliding_window"])


def token_id(tok, config, key):
    value = config.get(key)
    if isinstance(value, dict):
        value = value.get("content")
    if value is None:
        return None
    ids = {a["content"]: a["id"] for a in tok["added_tokens"]} | tok["model"]["vocab"]
    return ids[value]


def prepends_space(tok):
    """Whether tokenizer.json's normalizer puts a space before the text (SentencePiece's
    add_dummy_prefix)."""
    norm = tok.get("normalizer") or {}
    steps = norm.get("normalizers", [norm])
    return any(step.get("type") == "Prepend" for step in steps)


def write_sentencepiece(w, tok, vocab, tokens, specials, merges, gemma):
    """A piece's score is minus the rank of the first merge that makes it, so that
    SentencePiece's best-score-first merging follows the BPE merges."""
    made_by = {}
    for rank, m in enumerate(merges):
        made_by.setdefault(m.replace(" ", ""), rank)
    unk = tok["model"]["unk_token"]
    w.add_tokenizer_model("llama")
    if gemma:
        w.add_tokenizer_pre("default")
    w.add_token_list(tokens)
    # Gemma's special tokens are in its tokenizer_config.json's added_tokens_decoder, to
    # which llama.cpp's converter gives the score -1000 and, when special, CONTROL.
    w.add_token_scores([-1000.0 if gemma and t in specials else -float(made_by.get(t, 0)) for t in tokens])
    w.add_token_types([TokenType.UNKNOWN if t == unk and not gemma else TokenType.CONTROL if t in specials
                       else TokenType.BYTE if len(t) == 6 and t.startswith("<0x") else TokenType.NORMAL
                       for t in tokens])
    w.add_unk_token_id(vocab[unk])
    w.add_add_space_prefix(prepends_space(tok))


def write_vocab(w, tok, config, arch):
    """The vocabulary and its special ids; returns the number of tokens."""
    vocab = dict(tok["model"]["vocab"])
    specials = {a["content"] for a in tok["added_tokens"] if a["special"]}
    for a in tok["added_tokens"]:
        vocab[a["content"]] = a["id"]
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    merges = [m if isinstance(m, str) else " ".join(m) for m in tok["model"]["merges"]]
    gemma = arch in GEMMA
    if tok["model"].get("byte_fallback"):
        write_sentencepiece(w, tok, vocab, tokens, specials, merges, gemma)
    else:
        w.add_tokenizer_model("gpt2")
        w.add_tokenizer_pre("qwen2")
        w.add_token_list(tokens)
        w.add_token_types([TokenType.CONTROL if t in specials else TokenType.NORMAL for t in tokens])
        w.add_token_merges(merges)
    bos, eos = token_id(tok, config, "bos_token"), token_id(tok, config, "eos_token")
    if bos is not None:
        w.add_bos_token_id(bos)
    w.add_eos_token_id(eos)
    if gemma and token_id(tok, config, "pad_token") is not None:
        w.add_pad_token_id(token_id(tok, config, "pad_token"))
    w.add_add_bos_token(bool(config.get("add_bos_token")))
    if "chat_template" in config:
        w.add_chat_template(config["chat_template"])
    return len(tokens)


def stack_expert(pending, name, bits, n_experts):
    """Files one expert's matrix under its layer's stacked tensor in `pending`; once that has
    all n_experts, returns it as (GGUF name, array, type), expert m at index m, and forgets
    it; else None. The array is gguf's LazyNumpyTensor over the file's mapped views, which
    the writer stacks when it writes it and drops after: one stack is in memory at a time,
    however many layers (the writer holds every tensor it is given until the end)."""
    _, _, i, _, _, m, key = name.split(".", 6)  # model.layers.{i}.{mlp|block_sparse_moe}.experts.{m}.key
    target = f"blk.{i}.{EXPERT_NAMES[key]}"
    parts = pending.setdefault(target, {})
    parts[int(m)] = bits
    if len(parts) < n_experts:
        return None
    del pending[target]
    views = [parts[e] for e in range(n_experts)]
    meta = LazyNumpyTensor.meta_with_dtype_and_shape(np.uint16, (n_experts,) + views[0].shape)
    return target, LazyNumpyTensor(meta=meta, args=(views,), func=np.stack), GGMLQuantizationType.BF16


def gguf_tensors(src, c, arch, n_tokens):
    """(GGUF name, array, type) of each checkpoint tensor, in the file's order; a layer's
    experts as one tensor per matrix, where its last expert was."""
    heads = {"attn_q.weight": c["num_attention_heads"], "attn_k.weight": c["num_key_value_heads"]}
    pending = {}
    for name, bits in bf16_tensors(os.path.join(src, "model.safetensors")):
        if ".experts." in name:
            stacked = stack_expert(pending, name, bits, n_experts(c))
            if stacked is not None:
                yield stacked
            continue
        target = gguf_name(name, arch)
        kind = target.rsplit(".", 2)[-2] + ".weight" if target.startswith("blk.") else None
        if arch == "llama" and kind in heads:
            bits = permute_rope_rows(bits, heads[kind])
        if target.endswith("ffn_gate_inp_shexp.weight"):
            # [1, d] squeezed to [d], in F32 (exact) as llama.cpp's converter writes 1-d tensors.
            yield target, bf16_to_f32(bits).reshape(-1), GGMLQuantizationType.F32
            continue
        if arch in GEMMA and name.endswith("norm.weight"):
            # 1 + w is exact in F32 (not in BF16), the type llama.cpp gives every norm.
            yield target, bf16_to_f32(bits) + np.float32(1.0), GGMLQuantizationType.F32
            continue
        if arch == "gemma3" and target == "token_embd.weight":
            bits = bits[:n_tokens]  # rows past the vocabulary are padding, which llama.cpp drops
        yield target, np.ascontiguousarray(bits), GGMLQuantizationType.BF16


def convert(src, out, vectors_f32=False):
    """vectors_f32: every 1-d tensor in F32 (the same values), as llama.cpp's converter writes
    them and as llama.cpp's CPU ops need them (a norm's multiply takes no BF16 operand)."""
    def load(name):
        with open(os.path.join(src, name), encoding="utf-8") as f:
            return json.load(f)
    c, tok, tok_config = load("config.json"), load("tokenizer.json"), load("tokenizer_config.json")
    arch = ARCH[c["model_type"]]
    if arch == "qwen2moe" and c.get("norm_topk_prob"):
        sys.exit("a GGUF cannot say: norm_topk_prob is true (llama.cpp's qwen2moe never renormalizes)")
    w = gguf.GGUFWriter(out, arch)
    if arch == "gemma3":
        write_gemma3_hparams(w, c)
    elif arch == "gemma2":
        write_gemma2_hparams(w, c)
    else:
        write_hparams(w, c)
    n_tokens = write_vocab(w, tok, tok_config, arch)
    for name, array, dtype in gguf_tensors(src, c, arch, n_tokens):
        if vectors_f32 and dtype == GGMLQuantizationType.BF16 and array.ndim == 1:
            array, dtype = bf16_to_f32(array), GGMLQuantizationType.F32
        w.add_tensor(name, array, raw_dtype=dtype)
    scaling = c.get("rope_scaling") or {}
    if scaling.get("rope_type", scaling.get("type")) == "longrope":
        for which in ("long", "short"):
            w.add_tensor(f"rope_factors_{which}.weight", np.asarray(scaling[f"{which}_factor"], np.float32))
    if scaling.get("rope_type", scaling.get("type")) == "llama3":
        head_dim = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
        w.add_tensor("rope_freqs.weight", llama3_rope_freqs(
            head_dim, c["rope_theta"], scaling["factor"], scaling.get("low_freq_factor", 1.0),
            scaling.get("high_freq_factor", 4.0), scaling.get("original_max_position_embeddings", 8192)))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def main():
    src = sys.argv[1]
    out = sys.argv[2] if len(sys.argv) > 2 else src.rstrip("/") + ".gguf"
    with open(os.path.join(src, ".complete")) as f:
        stamp = f.read() + " gguf 1"
    stamp_path = out + ".complete"
    if os.path.exists(stamp_path) and open(stamp_path).read() == stamp:
        print(f"{out}: up to date")
        return
    convert(src, out)
    with open(stamp_path, "w") as f:
        f.write(stamp)
    print(f"{out}: wrote {ARCH[json.load(open(os.path.join(src, 'config.json')))['model_type']]} GGUF")


if __name__ == "__main__":
    main()
