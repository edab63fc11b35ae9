#!/usr/bin/env python3
"""Reference token ids for lmc's tokenizer tests, computed without lmc's code.

Builds a Hugging Face `tokenizers` Tokenizer from a GGUF's tokenizer.ggml.* metadata and
encodes test strings with it:
  * "gpt2" vocabularies (GPT-2, SmolLM2): tokenizers' BPE with the GGUF's ranked merges,
    its ByteLevel pre-tokenizer (GPT-2's split pattern) and, for the "smollm" pre-tokenizer,
    Digits(individual_digits) in front.
  * "llama" vocabularies (Gemma): SentencePiece BPE has scores, not merges. The merges are
    derived from the scores (every split of a token into two tokens, ranked by the token's
    score), and tokenizers' BPE runs with byte fallback. A second, deliberately naive
    SentencePiece reference (repeatedly merge the best-scoring adjacent pair) must agree
    with it, or the script fails: the two readings of "merge by score" cross-check.
Control and user-defined tokens are added tokens, matched whole in the text.

Usage: tokenize_reference.py GGUF CASES_JSON SET[,SET...] [--no-special] [--save-json DIR]
Prints {"texts": [...], "ids": [[...], ...]} for the strings of the named sets (no BOS).
--save-json writes the built tokenizer as DIR/tokenizer.json plus DIR/tokenizer_config.json.
Exits 77 when the gguf or tokenizers package is missing, so tests can skip.
"""
import argparse
import json
import os
import sys

try:
    import gguf
    from tokenizers import AddedToken, Tokenizer, decoders, models, normalizers, pre_tokenizers
except ImportError as e:
    print(f"tokenize_reference.py: {e}", file=sys.stderr)
    sys.exit(77)

NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6
SPACE_MARK = "\u2581"


def read_vocab(path):
    reader = gguf.GGUFReader(path)
    fields = reader.fields

    def strings(key):
        f = fields.get(key)
        return [] if f is None else [bytes(f.parts[i]).decode("utf-8") for i in f.data]

    def numbers(key):
        f = fields.get(key)
        return [] if f is None else [f.parts[i][0].item() for i in f.data]

    def scalar(key, default):
        f = fields.get(key)
        return default if f is None else f.parts[f.data[0]][0].item()

    tokens = strings("tokenizer.ggml.tokens")
    return {
        "model": bytes(fields["tokenizer.ggml.model"].parts[-1]).decode(),
        "pre": strings("tokenizer.ggml.pre")[0] if "tokenizer.ggml.pre" in fields else "",
        "tokens": tokens,
        "scores": numbers("tokenizer.ggml.scores") or [0.0] * len(tokens),
        "types": numbers("tokenizer.ggml.token_type") or [NORMAL] * len(tokens),
        "merges": [tuple(m.split(" ")) for m in strings("tokenizer.ggml.merges")],
        "bos": scalar("tokenizer.ggml.bos_token_id", -1),
        "eos": scalar("tokenizer.ggml.eos_token_id", -1),
        "unk": scalar("tokenizer.ggml.unknown_token_id", -1),
        "add_space_prefix": bool(scalar("tokenizer.ggml.add_space_prefix", False)),
    }


def mergeable(v):
    """Tokens BPE may build from text (not control, unknown, byte or unused ones)."""
    out = {}
    for i, (t, ty) in enumerate(zip(v["tokens"], v["types"])):
        if ty not in (CONTROL, UNKNOWN, BYTE, UNUSED):
            out.setdefault(t, i)
    return out


def added_tokens(v):
    specials = {CONTROL: True, UNKNOWN: True, USER_DEFINED: False}
    return [(i, AddedToken(t, special=specials[ty], normalized=False))
            for i, (t, ty) in enumerate(zip(v["tokens"], v["types"])) if ty in specials]


def byte_level_tokenizer(v):
    vocab = {t: i for i, t in reversed(list(enumerate(v["tokens"])))}
    tok = Tokenizer(models.BPE(vocab, v["merges"]))
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    if v["pre"] == "smollm":
        tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level])
    elif v["pre"] in ("gpt2", ""):
        tok.pre_tokenizer = byte_level
    else:
        sys.exit(f"tokenize_reference.py: no reference for pre-tokenizer {v['pre']!r}")
    tok.decoder = decoders.ByteLevel()
    return tok


def derived_merges(v, known):
    """SentencePiece BPE merges any adjacent pair that spells a token, best score first."""
    ranked = []
    for text, i in known.items():
        for cut in range(1, len(text)):
            left, right = text[:cut], text[cut:]
            if left in known and right in known:
                ranked.append((-v["scores"][i], i, cut, left, right))
    ranked.sort()
    return [(left, right) for *_, left, right in ranked]


def sentencepiece_tokenizer(v):
    known = mergeable(v)
    vocab = {t: i for i, t in reversed(list(enumerate(v["tokens"])))}
    unk = v["tokens"][v["unk"]] if v["unk"] >= 0 else None
    tok = Tokenizer(models.BPE(vocab, derived_merges(v, known), unk_token=unk, byte_fallback=True))
    steps = [normalizers.Replace(" ", SPACE_MARK)]
    if v["add_space_prefix"]:
        steps.insert(0, normalizers.Prepend(" "))
    tok.normalizer = normalizers.Sequence(steps)
    tok.decoder = decoders.Sequence([decoders.Replace(SPACE_MARK, " "), decoders.ByteFallback(), decoders.Fuse()])
    return tok


def naive_sentencepiece(v, text, parse_special):
    """Splits off special tokens (leftmost, longest), then merges the best-scoring pair."""
    known = mergeable(v)
    kinds = (CONTROL, UNKNOWN, USER_DEFINED) if parse_special else (USER_DEFINED,)
    specials = {t: i for i, (t, ty) in reversed(list(enumerate(zip(v["tokens"], v["types"])))) if ty in kinds}
    longest = max(map(len, specials), default=0)
    byte_token = {int(t[3:5], 16): i for i, (t, ty) in enumerate(zip(v["tokens"], v["types"])) if ty == BYTE}
    out, plain, pos, after_special = [], "", 0, True

    def flush(plain, after_special):
        if not plain:
            return
        piece = (SPACE_MARK if v["add_space_prefix"] and after_special else "") + plain.replace(" ", SPACE_MARK)
        symbols = list(piece)
        while True:
            best = None
            for i in range(len(symbols) - 1):
                t = known.get(symbols[i] + symbols[i + 1])
                if t is not None and (best is None or v["scores"][t] > best[0]):
                    best = (v["scores"][t], i)
            if best is None:
                break
            i = best[1]
            symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]
        for s in symbols:
            out.extend([known[s]] if s in known else [byte_token[b] for b in s.encode()])

    while pos < len(text):
        match = next((text[pos:pos + n] for n in range(longest, 0, -1) if text[pos:pos + n] in specials), None)
        if match is None:
            plain += text[pos]
            pos += 1
            continue
        flush(plain, after_special)
        out.append(specials[match])
        plain, pos, after_special = "", pos + len(match), True
    flush(plain, after_special)
    return out


def save_json(tok, v, directory):
    os.makedirs(directory, exist_ok=True)
    tok.save(os.path.join(directory, "tokenizer.json"))
    config = {"bos_token": v["tokens"][v["bos"]] if v["bos"] >= 0 else None,
              "eos_token": v["tokens"][v["eos"]] if v["eos"] >= 0 else None,
              "add_bos_token": v["model"] == "llama"}
    with open(os.path.join(directory, "tokenizer_config.json"), "w") as f:
        json.dump(config, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("gguf")
    ap.add_argument("cases")
    ap.add_argument("sets")
    ap.add_argument("--no-special", action="store_true")
    ap.add_argument("--save-json")
    args = ap.parse_args()

    v = read_vocab(args.gguf)
    with open(args.cases, encoding="utf-8") as f:
        cases = json.load(f)
    texts = [t for name in args.sets.split(",") for t in cases[name]]

    if v["model"] == "gpt2":
        tok = byte_level_tokenizer(v)
    elif v["model"] == "llama":
        tok = sentencepiece_tokenizer(v)
    else:
        sys.exit(f"tokenize_reference.py: no reference for tokenizer model {v['model']!r}")
    tok.add_tokens([t for _, t in added_tokens(v)])
    tok.encode_special_tokens = args.no_special

    ids = [tok.encode(t, add_special_tokens=False).ids for t in texts]
    if v["model"] == "llama":
        for text, hf in zip(texts, ids):
            naive = naive_sentencepiece(v, text, not args.no_special)
            if naive != hf:
                sys.exit(f"tokenize_reference.py: references disagree on {text!r}:\n"
                         f"  tokenizers BPE: {hf}\n  naive SentencePiece: {naive}")
    if args.save_json:
        save_json(tok, v, args.save_json)
    json.dump({"texts": texts, "ids": ids}, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
