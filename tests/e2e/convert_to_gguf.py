#!/usr/bin/env python3
"""Writes a llama.cpp-style GGUF of a Hugging Face checkpoint made by
make_random_checkpoint.py (qwen2, qwen3, mistral, phi3), as llama.cpp's converter lays it
out, so the end-to-end tests can run the same weights from both formats:

  convert_to_gguf.py CHECKPOINT_DIR [OUT.gguf]      (default CHECKPOINT_DIR.gguf, beside the folder)

  * general.architecture: qwen2, qwen3, phi3 as the model_type; Mistral is "llama", whose
    q and k rows llama.cpp permutes so RoPE rotates adjacent pairs; the others keep HF's
    order. Mistral's and Phi-3's sliding window is written as attention.sliding_window.
  * Tensors keep their BF16 values (no rounding), under llama.cpp's names; Phi-3's fused
    qkv_proj and gate_up_proj stay fused (attn_qkv, ffn_up); a tied head has no output.weight.
  * The vocabulary: byte-level BPE (tokenizer.ggml.model gpt2, pre qwen2) with its merges,
    or SentencePiece (llama) with scores that rank the pieces in the order of the merges
    that make them, byte tokens typed BYTE, a space prefix and BOS.

Like the generator, it does nothing when the output's stamp matches the checkpoint's.
"""
import json
import os
import struct
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType, TokenType

ARCH = {"qwen2": "qwen2", "qwen3": "qwen3", "mistral": "llama", "phi3": "phi3"}

LAYER_NAMES = {
    "input_layernorm.weight": "attn_norm.weight", "post_attention_layernorm.weight": "ffn_norm.weight",
    "self_attn.q_proj.weight": "attn_q.weight", "self_attn.k_proj.weight": "attn_k.weight",
    "self_attn.v_proj.weight": "attn_v.weight", "self_attn.q_proj.bias": "attn_q.bias",
    "self_attn.k_proj.bias": "attn_k.bias", "self_attn.v_proj.bias": "attn_v.bias",
    "self_attn.qkv_proj.weight": "attn_qkv.weight", "self_attn.o_proj.weight": "attn_output.weight",
    "self_attn.q_norm.weight": "attn_q_norm.weight", "self_attn.k_norm.weight": "attn_k_norm.weight",
    "mlp.gate_proj.weight": "ffn_gate.weight", "mlp.up_proj.weight": "ffn_up.weight",
    "mlp.gate_up_proj.weight": "ffn_up.weight", "mlp.down_proj.weight": "ffn_down.weight",
}
TOP_NAMES = {"model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
             "lm_head.weight": "output.weight"}


def gguf_name(hf):
    if hf in TOP_NAMES:
        return TOP_NAMES[hf]
    _, _, i, rest = hf.split(".", 3)  # model.layers.{i}.rest
    return f"blk.{i}.{LAYER_NAMES[rest]}"


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
    if c["model_type"] == "phi3":
        w.add_rope_dimension_count(head_dim)
    if c["model_type"] in ("mistral", "phi3") and c.get("sliding_window"):
        w.add_sliding_window(c["sliding_window"])


def token_id(tok, config, key):
    value = config.get(key)
    if isinstance(value, dict):
        value = value.get("content")
    if value is None:
        return None
    ids = {a["content"]: a["id"] for a in tok["added_tokens"]} | tok["model"]["vocab"]
    return ids[value]


def write_vocab(w, tok, config):
    vocab = dict(tok["model"]["vocab"])
    specials = {a["content"] for a in tok["added_tokens"] if a["special"]}
    for a in tok["added_tokens"]:
        vocab[a["content"]] = a["id"]
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    merges = [m if isinstance(m, str) else " ".join(m) for m in tok["model"]["merges"]]
    if tok["model"].get("byte_fallback"):
        made_by = {}
        for rank, m in enumerate(merges):
            made_by.setdefault(m.replace(" ", ""), rank)
        w.add_tokenizer_model("llama")
        w.add_token_list(tokens)
        w.add_token_scores([-float(made_by.get(t, 0)) for t in tokens])
        unk = tok["model"]["unk_token"]
        w.add_token_types([TokenType.UNKNOWN if t == unk else TokenType.CONTROL if t in specials
                           else TokenType.BYTE if len(t) == 6 and t.startswith("<0x") else TokenType.NORMAL
                           for t in tokens])
        w.add_unk_token_id(vocab[unk])
        w.add_add_space_prefix(True)
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
    w.add_add_bos_token(bool(config.get("add_bos_token")))
    if "chat_template" in config:
        w.add_chat_template(config["chat_template"])


def convert(src, out):
    def load(name):
        with open(os.path.join(src, name), encoding="utf-8") as f:
            return json.load(f)
    c, tok, tok_config = load("config.json"), load("tokenizer.json"), load("tokenizer_config.json")
    w = gguf.GGUFWriter(out, ARCH[c["model_type"]])
    write_hparams(w, c)
    write_vocab(w, tok, tok_config)
    permute = ARCH[c["model_type"]] == "llama"
    heads = {"attn_q.weight": c["num_attention_heads"], "attn_k.weight": c["num_key_value_heads"]}
    for name, bits in bf16_tensors(os.path.join(src, "model.safetensors")):
        target = gguf_name(name)
        kind = target.rsplit(".", 2)[-2] + ".weight" if target.startswith("blk.") else None
        if permute and kind in heads:
            bits = permute_rope_rows(bits, heads[kind])
        w.add_tensor(target, np.ascontiguousarray(bits), raw_dtype=GGMLQuantizationType.BF16)
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
