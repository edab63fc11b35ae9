#!/usr/bin/env python3
"""Reference token ids for lmc's tokenizer tests, computed without lmc's code.

Builds a Hugging Face `tokenizers` Tokenizer from a GGUF's tokenizer.ggml.* metadata and
encodes test strings with it:
  * "gpt2" vocabularies (GPT-2, SmolLM2): tokenizers' BPE with the GGUF's ranked merges,
    its ByteLevel pre-tokenizer (GPT-2's split pattern) and, for the "smollm" pre-tokenizer,
    Digits(individual_digits) in front; without a pre-tokenizer name, llama.cpp's default
    regex splits.
  * "llama" vocabularies (Gemma): SentencePiece BPE has scores, not merges. The merges are
    derived from the scores (every split of a token into two tokens, ranked by the token's
    score), and tokenizers' BPE runs with byte fallback. A second, deliberately naive
    SentencePiece reference (repeatedly merge the best-scoring adjacent pair) must agree
    with it, or the script fails: the two readings of "merge by score" cross-check.
Control and user-defined tokens are added tokens, matched whole in the text.

Usage: tokenize_reference.py GGUF CASES_JSON SET[,SET...] [--save-json DIR]
Prints {"texts": [...], "ids": [[...], ...], "ids_no_special": [[...], ...]} for the strings of
the named sets, without BOS; "ids_no_special" leaves control tokens in the text unmatched.
--save-json writes the built tokenizer as DIR/tokenizer.json plus DIR/tokenizer_config.json.
Exits 77 when the tokenizers package is missing, so tests can skip.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gguf_file import GgufFile  # noqa: E402

try:
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers
except ImportError as e:
    print(f"tokenize_reference.py: {e}", file=sys.stderr)
    sys.exit(77)

NORMAL, UNKNOWN, CONTROL, USER_DEFINED, UNUSED, BYTE = 1, 2, 3, 4, 5, 6
SPACE_MARK = "\u2581"


def read_metadata(path):
    """The key/value section of a GGUF (v2/v3)."""
    try:
        return GgufFile(path).meta
    except ValueError as e:
        sys.exit(f"tokenize_reference.py: {e}")


def read_vocab(path):
    meta = read_metadata(path)
    get = lambda key, default: meta.get("tokenizer.ggml." + key, default)
    tokens = get("tokens", [])
    return {
        "model": get("model", ""),
        "pre": get("pre", ""),
        "tokens": tokens,
        "scores": get("scores", None) or [0.0] * len(tokens),
        "types": get("token_type", None) or [NORMAL] * len(tokens),
        "merges": [tuple(m.split(" ")) for m in get("merges", [])],
        "bos": get("bos_token_id", -1),
        "eos": get("eos_token_id", -1),
        "unk": get("unknown_token_id", -1),
        "add_space_prefix": bool(get("add_space_prefix", False)),
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


# llama.cpp's regexes for a byte-level GGUF without tokenizer.ggml.pre (or "default"), each
# splitting the pieces of the one before.
LLAMA_CPP_DEFAULT = [r"[\p{P}\$\+<=>\^~\|]+",
                     r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)",
                     r"\p{N}+",
                     r"[0-9][0-9][0-9]"]


def llama_cpp_default():
    splits = [pre_tokenizers.Split(Regex(r), behavior="isolated", invert=False) for r in LLAMA_CPP_DEFAULT]
    return pre_tokenizers.Sequence(splits + [pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])


def byte_level_tokenizer(v):
    vocab = {t: i for i, t in reversed(list(enumerate(v["tokens"])))}
    tok = Tokenizer(models.BPE(vocab, v["merges"]))
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    if v["pre"] == "smollm":
        tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True), byte_level])
    elif v["pre"] == "gpt2":
        tok.pre_tokenizer = byte_level
    elif v["pre"] in ("default", ""):
        tok.pre_tokenizer = llama_cpp_default()
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


class NaiveSentencePiece:
    """Splits off special tokens (leftmost, longest), then merges the best-scoring pair."""

    def __init__(self, v):
        self.v = v
        self.known = mergeable(v)
        entries = list(enumerate(zip(v["tokens"], v["types"])))
        self.specials = {True: {}, False: {}}
        for i, (t, ty) in reversed(entries):
            if ty in (CONTROL, UNKNOWN, USER_DEFINED):
                self.specials[True][t] = i
            if ty == USER_DEFINED:
                self.specials[False][t] = i
        self.longest = max(map(len, self.specials[True]), default=0)
        self.byte_token = {int(t[3:5], 16): i for i, (t, ty) in entries if ty == BYTE}

    def encode(self, text, parse_special):
        specials = self.specials[parse_special]
        out, plain, pos, after_special = [], "", 0, True
        while pos < len(text):
            match = next((text[pos:pos + n] for n in range(self.longest, 0, -1) if text[pos:pos + n] in specials),
                         None)
            if match is None:
                plain += text[pos]
                pos += 1
                continue
            self.encode_plain(plain, after_special, out)
            out.append(specials[match])
            plain, pos, after_special = "", pos + len(match), True
        self.encode_plain(plain, after_special, out)
        return out

    def encode_plain(self, plain, after_special, out):
        if not plain:
            return
        prefix = SPACE_MARK if self.v["add_space_prefix"] and after_special else ""
        symbols = list(prefix + plain.replace(" ", SPACE_MARK))
        while True:
            best = None
            for i in range(len(symbols) - 1):
                t = self.known.get(symbols[i] + symbols[i + 1])
                if t is not None and (best is None or self.v["scores"][t] > best[0]):
                    best = (self.v["scores"][t], i)
            if best is None:
                break
            i = best[1]
            symbols[i:i + 2] = [symbols[i] + symbols[i + 1]]
        for s in symbols:
            out.extend([self.known[s]] if s in self.known else [self.byte_token[b] for b in s.encode()])


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

    result = {"texts": texts}
    naive = NaiveSentencePiece(v) if v["model"] == "llama" else None
    for parse_special, key in ((True, "ids"), (False, "ids_no_special")):
        tok.encode_special_tokens = not parse_special
        result[key] = [tok.encode(t, add_special_tokens=False).ids for t in texts]
        for text, hf in zip(texts, result[key]) if naive else ():
            other = naive.encode(text, parse_special)
            if other != hf:
                sys.exit(f"tokenize_reference.py: references disagree on {text!r}:\n"
                         f"  tokenizers BPE: {hf}\n  naive SentencePiece: {other}")
    tok.encode_special_tokens = False
    if args.save_json:
        save_json(tok, v, args.save_json)
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
