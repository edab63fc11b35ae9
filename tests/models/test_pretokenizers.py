#!/usr/bin/env python3
"""lmc's byte-level pre-tokenizers against Hugging Face `tokenizers`, family by family.

No Llama 3, Qwen 2 or Mistral tokenizer can be downloaded here, so each family's published
pipeline (its pre-tokenizer regex, normalizer and byte-level decoder) is rebuilt with the
`tokenizers` API and a BPE is trained on a small multilingual corpus, so that the merges
are real. For every family lmc must produce HF's ids on a hostile string set from the
saved tokenizer.json and, for the families llama.cpp names in tokenizer.ggml.pre, from a
GGUF carrying the same vocabulary under that name. (The real SmolLM2 and Gemma 3
vocabularies are checked against HF by test_tokenizer_reference.cpp.)

Usage: test_pretokenizers.py TOKENIZE_IDS
"""
import json
import os
import subprocess
import sys
import tempfile

import gguf
import numpy as np
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

GPT2 = r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"
LLAMA3 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|"
          r"\s+(?!\S)|\s+")
QWEN2 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|"
         r"\s+(?!\S)|\s+")
TEKKEN = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|"
          r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|"
          r"\s*[\r\n]+|\s+(?!\S)|\s+")


def split_then_bytes(pattern):
    return pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
                                    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])


# family -> (pre-tokenizer, normalizer, tokenizer.ggml.pre name or None)
FAMILIES = {
    "gpt2": (lambda: pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True), None, "gpt2"),
    "smollm": (lambda: pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]),
               None, "smollm"),
    "llama3": (lambda: split_then_bytes(LLAMA3), None, "llama-bpe"),
    "qwen2": (lambda: split_then_bytes(QWEN2), normalizers.NFC, "qwen2"),
    "mistral-tekken": (lambda: split_then_bytes(TEKKEN), None, "tekken"),
}

CORPUS = [
    "The quick brown fox jumps over the lazy dog. It's 2024, and we'll see what they've done.",
    "I'm sure you'd like 1234567 apples; DON'T you? HE'LL know. Numbers: 3.14159, 2,718, -42, 1e10.",
    "Der schnelle braune Fuchs springt über den faulen Hund. Ça va très bien, merci! Ñandú, niño.",
    "日本語のテキストも少し。中文句子也在这里。한국어 문장도 있습니다.",
    "Русский текст и немного кириллицы. Ελληνικά γράμματα. עברית. العربية جميلة.",
    "हिन्दी में कुछ शब्द। தமிழ் எழுத்துக்கள். ไทยภาษา",
    "def f(x):\n    return x ** 2  # comment\n\tif x != 0:\r\n        print(f'{x}')\n",
    "Emoji 😀👍🏽 👨‍👩‍👧‍👦 and symbols ©®™ → ∞ ≠ ≤ ½ ² Ⅻ ٣ ௫",
    "   leading spaces, trailing spaces   \n\n\nblank lines\n \n",
    "<|endoftext|> special tokens inside text <|endoftext|>",
] * 3

HOSTILE = [
    "",
    " ",
    "Hello world",
    "hello  world   ",
    "It's I'M you'RE we'VE they'LL he'D she's 'S 'T",
    "don''t 'tis '''",
    "1 12 123 1234 12345 123456 1234567 12345678 123456789 1234567890 12345678901 123456789012",
    "٣٤٥ ௫௬ Ⅻ ½ ² 3.14 1,000,000",
    "tabs\tand\t\tmore\ttabs",
    "line\r\nwindows\r\n\r\nend",
    "trailing \n \n  \n",
    "nbsp\u00a0here\u00a0\u00a0and ideographic\u3000space\u3000",
    "mixed日本語text中文and한국어",
    "Ελληνικά Русский עברית العربية हिन्दी",
    "e\u0301 vs \u00e9, n\u0303 vs \u00f1, combining \u0301\u0302\u0303",
    "Zalgo: Z\u0351\u036b\u0343a\u0310l\u0352g\u0344o",
    "emoji 😀👍🏽 👨‍👩‍👧‍👦 🇫🇷 flags",
    "!!!??? ... --- *** ((([[[{{{}}}]]]))) @#$%^&",
    "path/to/file.txt and https://example.com/a?b=c&d=e",
    "camelCaseWords and PascalCase and SCREAMING_CASE and snake_case",
    "a" * 300,
    "antidisestablishmentarianism supercalifragilisticexpialidocious",
    "<|endoftext|>",
    "before<|endoftext|>after <|endoftext|> spaced",
    "\u2028line separator\u2029paragraph\u0085next line",
    "ﬁ ligature and ℌ ① full-width ＡＢＣ",
]


def build(family, work):
    pre, norm, _ = FAMILIES[family]
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre()
    if norm is not None:
        tok.normalizer = norm()
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=700, min_frequency=1, special_tokens=["<|endoftext|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS, trainer=trainer)
    path = os.path.join(work, f"{family}.json")
    tok.save(path)
    return tok, path


def write_gguf(tokenizer_json, name, path):
    """The same vocabulary as llama.cpp's converter writes it, with tokenizer.ggml.pre = name."""
    with open(tokenizer_json) as f:
        data = json.load(f)
    vocab = data["model"]["vocab"]
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    special = {a["content"] for a in data["added_tokens"]}
    merges = [m if isinstance(m, str) else " ".join(m) for m in data["model"]["merges"]]
    w = gguf.GGUFWriter(path, "llama")
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre(name)
    w.add_token_list(tokens)
    w.add_token_types([gguf.TokenType.CONTROL if t in special else gguf.TokenType.NORMAL for t in tokens])
    w.add_token_merges(merges)
    w.add_add_bos_token(False)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def lmc_ids(tool, tokenizer, strings, work):
    cases = os.path.join(work, "strings.json")
    with open(cases, "w") as f:
        json.dump(strings, f)
    r = subprocess.run([tool, tokenizer, cases], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"tokenize_ids {tokenizer}: {r.stderr}")
    return json.loads(r.stdout)


def main():
    tool = sys.argv[1]
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        for family, (_, _, gguf_name) in FAMILIES.items():
            tok, path = build(family, work)
            want = [tok.encode(s, add_special_tokens=False).ids for s in HOSTILE]
            sources = [("tokenizer.json", path)]
            if gguf_name:
                vocab = os.path.join(work, f"{family}.gguf")
                write_gguf(path, gguf_name, vocab)
                sources.append((f"GGUF pre={gguf_name}", vocab))
            for label, source in sources:
                got = lmc_ids(tool, source, HOSTILE, work)
                bad = [(s, g, w) for s, g, w in zip(HOSTILE, got, want) if g != w]
                for s, g, w in bad[:5]:
                    print(f"FAIL {family} from {label}: {s!r}\n  lmc: {g}\n  hf:  {w}")
                failures += len(bad)
                print(f"{family} from {label}: {len(HOSTILE) - len(bad)}/{len(HOSTILE)} strings equal")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
