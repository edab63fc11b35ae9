"""The tokenizers of make_random_checkpoint.py's checkpoints, as the contents of its
tokenizer.json and tokenizer_config.json.

The tokenizer is a small BPE learnt from the text below (byte-level for GPT-2, Qwen and
OLMoE, with Qwen 2's pre-tokenizer and NFC for Qwen and OLMoE; SentencePiece-style with byte
fallback for Gemma, Mistral, Mixtral and Phi-3) padded with filler tokens to the vocabulary
size: the real one for GPT-2, Mistral, Mixtral and Phi-3, 32768 for Gemma, Qwen and OLMoE
(checkpoint_configs.SMALL_VOCAB).
"""
import os
import sys
from collections import Counter

from checkpoint_configs import QWEN_BASE_VOCAB

CORPUS = """The quick brown fox jumps over the lazy dog. A compiler turns a model into kernels.
The capital of France is Paris, and the capital of Italy is Rome. Numbers like 12345 and 678
are written with digits. Language models predict the next token from the tokens before it.
Every layer reads the residual stream, normalizes it, attends to the past and adds the result.
She sells sea shells by the sea shore; the shells she sells are surely sea shells."""


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
