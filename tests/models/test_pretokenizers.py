#!/usr/bin/env python3
"""lmc's pre-tokenizers and normalizers against Hugging Face `tokenizers`, family by family.

No Llama 3, Qwen 2 or Mistral tokenizer can be downloaded here, so each family's published
pipeline (its pre-tokenizer regex, normalizer and decoder) is rebuilt with the `tokenizers`
API and a BPE is trained on a small multilingual corpus, so that the merges are real. For
every family lmc must produce HF's ids on the common and hostile strings of
test_tokenizer_cases.json (plus special tokens in text) from the saved tokenizer.json and,
for the families llama.cpp names in tokenizer.ggml.pre, from a GGUF carrying the same
vocabulary under each of those names. A real vocabulary (SmolLM2's, from models/weights) is
also run under GPT-2's plain ByteLevel pre-tokenizer. (SmolLM2 and Gemma 3 as they are published are
checked against HF by test_tokenizer_reference.cpp.)

Usage: test_pretokenizers.py TOKENIZE_IDS
"""
import json
import os
import subprocess
import sys
import tempfile

import gguf
from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
import tokenize_reference  # noqa: E402  (reads a GGUF's vocabulary without lmc)

LLAMA3 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|"
          r"\s+(?!\S)|\s+")
QWEN2 = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|"
         r"\s+(?!\S)|\s+")
TEKKEN = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|"
          r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|"
          r"\s*[\r\n]+|\s+(?!\S)|\s+")
GPT4O = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
         r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|"
         r"\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+")
SPACE_MARK = "\u2581"
SPECIAL = "<|endoftext|>"


def split_then_bytes(pattern):
    return pre_tokenizers.Sequence([pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
                                    pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)])


def every_split_behavior():
    """Not a published family: each Split behavior, inverted or not, a string pattern full of
    regex syntax, Punctuation, and Digits in runs."""
    split = pre_tokenizers.Split
    return pre_tokenizers.Sequence([
        split("//", behavior="isolated", invert=False),
        split("\\x", behavior="removed", invert=False),
        pre_tokenizers.Punctuation(behavior="contiguous"),
        split(Regex(r"[\p{P}]"), behavior="merged_with_previous", invert=False),
        split(Regex(r"\s+"), behavior="merged_with_next", invert=False),
        split("_", behavior="removed", invert=False),
        split(Regex(r"\p{Lu}+"), behavior="contiguous", invert=True),
        split(Regex(r"[aeiou]"), behavior="merged_with_previous", invert=True),
        pre_tokenizers.Digits(individual_digits=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])


def byte_level(pre, norm=None, gguf=(), ignore_merges=False):
    return {"kind": "byte", "pre": pre, "norm": norm, "gguf": list(gguf), "ignore_merges": ignore_merges}


def sentencepiece(pre, norm, edit=None):
    return {"kind": "spm", "pre": pre, "norm": norm, "gguf": [], "ignore_merges": False, "edit": edit}


def split_words(data):
    """Trained without Metaspace's split, the vocabulary has tokens across words ("e\u2581t");
    run with it, no merge may cross a U+2581."""
    data["pre_tokenizer"]["split"] = True


# family -> its pipeline and every tokenizer.ggml.pre name llama.cpp gives it.
FAMILIES = {
    "gpt2": byte_level(lambda: pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True),
                       gguf=["gpt2", "gpt-2", "phi-2", "mpt", "olmo", "jais", "exaone4", "gigachat", "a.x-4.0",
                             "mellum", "trillion", "granite-docling"]),
    "smollm": byte_level(lambda: pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)]),
        gguf=["smollm", "starcoder", "refact", "command-r", "codeshell", "exaone", "minerva-7b"]),
    "llama3": byte_level(lambda: split_then_bytes(LLAMA3), ignore_merges=True,
                         gguf=["llama-bpe", "llama3", "llama-v3", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2"]),
    "llama3-pattern-merging": byte_level(lambda: split_then_bytes(LLAMA3), gguf=["dbrx", "smaug-bpe"]),
    "qwen2": byte_level(lambda: split_then_bytes(QWEN2), normalizers.NFC, gguf=["qwen2", "deepseek-r1-qwen"]),
    "qwen2-pattern-unnormalized": byte_level(lambda: split_then_bytes(QWEN2),
                                             gguf=["stablelm2", "megrez", "kormo", "hunyuan"]),
    "mistral-tekken": byte_level(lambda: split_then_bytes(TEKKEN), ignore_merges=True, gguf=["tekken"]),
    "gpt-4o": byte_level(lambda: split_then_bytes(GPT4O), gguf=["gpt-4o", "llama4"]),
    # ByteLevel's add_prefix_space: a space in front of every piece the steps before it made.
    "byte-level-prefix-space": byte_level(lambda: pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=True)),
    "digits-then-prefix-space": byte_level(lambda: pre_tokenizers.Sequence([
        pre_tokenizers.Digits(individual_digits=True),
        pre_tokenizers.ByteLevel(add_prefix_space=True, use_regex=False)])),
    # What llama.cpp runs for a byte-level GGUF that names no pre-tokenizer ("" writes none).
    "llama.cpp-default": byte_level(tokenize_reference.llama_cpp_default, gguf=["default", ""]),
    "nfkc-split-behaviors": byte_level(every_split_behavior, lambda: normalizers.Sequence([normalizers.NFKC()])),
    # Gemma 3: spaces become U+2581 first, so its Split on " " never matches.
    "gemma": sentencepiece(lambda: pre_tokenizers.Split(" ", behavior="merged_with_previous", invert=False),
                           lambda: normalizers.Replace(" ", SPACE_MARK)),
    # Llama 2 and Gemma 1 as tokenizers converts them: a U+2581 in front of every piece of text.
    "llama2-sentencepiece": sentencepiece(None, lambda: normalizers.Sequence([
        normalizers.Prepend(SPACE_MARK), normalizers.Replace(" ", SPACE_MARK)])),
    "metaspace": sentencepiece(lambda: pre_tokenizers.Metaspace(replacement=SPACE_MARK, prepend_scheme="first",
                                                                split=False), None),
    "metaspace-always-split": sentencepiece(lambda: pre_tokenizers.Metaspace(replacement=SPACE_MARK,
                                                                             prepend_scheme="always", split=False),
                                            None, edit=split_words),
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
    "camelCase snake_case SCREAMING_CASE HTTPServer",
] * 3

# Special tokens in text, on top of the shared strings.
WITH_SPECIALS = [
    SPECIAL,
    f"before{SPECIAL}after {SPECIAL} spaced",
    f"{SPECIAL}{SPECIAL} x{SPECIAL}\n",
    f" {SPECIAL}  lead",
]


def test_strings():
    with open(os.path.join(HERE, "test_tokenizer_cases.json")) as f:
        cases = json.load(f)
    return cases["common"] + cases["hostile"] + WITH_SPECIALS


def with_byte_tokens(tok):
    """SentencePiece-style vocabularies carry the 256 <0xNN> byte tokens for byte fallback;
    the trainer does not make them, so they are put after the special tokens."""
    data = json.loads(tok.to_str())
    vocab = data["model"]["vocab"]
    specials = [a["content"] for a in sorted(data["added_tokens"], key=lambda a: a["id"])]
    order = specials + [f"<0x{b:02X}>" for b in range(256)]
    order += [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1]) if t not in order]
    data["model"]["vocab"] = {t: i for i, t in enumerate(order)}
    for a in data["added_tokens"]:
        a["id"] = order.index(a["content"])
    return Tokenizer.from_str(json.dumps(data))


# A word of the hostile strings that is a token no merge builds, as real vocabularies with
# ignore_merges have them: only a tokenizer that honours ignore_merges takes it whole.
UNMERGED_WORD = "antidisestablishmentarianism"


def with_unmerged_word(tok):
    data = json.loads(tok.to_str())
    vocab = data["model"]["vocab"]
    vocab[UNMERGED_WORD] = max(vocab.values()) + 1
    return Tokenizer.from_str(json.dumps(data))


def build(family, work):
    f = FAMILIES[family]
    spm = f["kind"] == "spm"
    tok = Tokenizer(models.BPE(byte_fallback=True, unk_token="<unk>") if spm
                    else models.BPE(ignore_merges=f["ignore_merges"]))
    if f["pre"] is not None:
        tok.pre_tokenizer = f["pre"]()
    if f["norm"] is not None:
        tok.normalizer = f["norm"]()
    if spm:
        tok.decoder = decoders.Sequence([decoders.Replace(SPACE_MARK, " "), decoders.ByteFallback(), decoders.Fuse()])
        trainer = trainers.BpeTrainer(vocab_size=500, min_frequency=1, special_tokens=["<unk>", SPECIAL],
                                      show_progress=False)
    else:
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=700, min_frequency=1, special_tokens=[SPECIAL],
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(CORPUS, trainer=trainer)
    if spm:
        tok = with_byte_tokens(tok)
    if f.get("edit"):
        data = json.loads(tok.to_str())
        f["edit"](data)
        tok = Tokenizer.from_str(json.dumps(data))
    if f["ignore_merges"]:
        tok = with_unmerged_word(tok)
    path = os.path.join(work, f"{family}.json")
    tok.save(path)
    return tok, path


def write_gguf(tokenizer_json, name, path):
    """The same vocabulary as llama.cpp's converter writes it, with tokenizer.ggml.pre = name
    (none for "")."""
    with open(tokenizer_json) as f:
        data = json.load(f)
    vocab = data["model"]["vocab"]
    tokens = [t for t, _ in sorted(vocab.items(), key=lambda kv: kv[1])]
    special = {a["content"] for a in data["added_tokens"]}
    merges = [m if isinstance(m, str) else " ".join(m) for m in data["model"]["merges"]]
    w = gguf.GGUFWriter(path, "llama")
    w.add_tokenizer_model("gpt2")
    if name:
        w.add_tokenizer_pre(name)
    w.add_token_list(tokens)
    w.add_token_types([gguf.TokenType.CONTROL if t in special else gguf.TokenType.NORMAL for t in tokens])
    w.add_token_merges(merges)
    w.add_add_bos_token(False)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def real_vocab_as_gpt2(work):
    """SmolLM2's published vocabulary and merges under GPT-2's pre-tokenizer (no digit split):
    the tokenizer.json HF runs, and a GGUF naming "gpt2"."""
    source = os.path.join(ROOT, "models", "weights", "SmolLM2-135M-Instruct.Q4_1.gguf")
    if not os.path.exists(source):
        return None
    v = tokenize_reference.read_vocab(source)
    v["pre"] = "gpt2"
    tok = tokenize_reference.byte_level_tokenizer(v)
    for i, ty in enumerate(v["types"]):
        if ty == tokenize_reference.CONTROL:
            tok.add_special_tokens([tokenize_reference.AddedToken(v["tokens"][i], special=True, normalized=False)])
    path = os.path.join(work, "smollm2-as-gpt2.json")
    tok.save(path)
    vocab = os.path.join(work, "smollm2-as-gpt2.gguf")
    write_gguf(path, "gpt2", vocab)
    return tok, path, vocab


def lmc_ids(tool, tokenizer, strings, work):
    cases = os.path.join(work, "strings.json")
    with open(cases, "w") as f:
        json.dump(strings, f)
    r = subprocess.run([tool, tokenizer, cases], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"tokenize_ids {tokenizer}: {r.stderr}")
    return json.loads(r.stdout)


def compare(tool, family, tok, sources, strings, work):
    want = [tok.encode(s, add_special_tokens=False).ids for s in strings]
    failures = 0
    for label, source in sources:
        got = lmc_ids(tool, source, strings, work)
        bad = [(s, g, w) for s, g, w in zip(strings, got, want) if g != w]
        for s, g, w in bad[:5]:
            print(f"FAIL {family} from {label}: {s!r}\n  lmc: {g}\n  hf:  {w}")
        failures += len(bad)
        print(f"{family} from {label}: {len(strings) - len(bad)}/{len(strings)} strings equal")
    return failures


def main():
    tool = sys.argv[1]
    strings = test_strings()
    failures = 0
    with tempfile.TemporaryDirectory() as work:
        for family, f in FAMILIES.items():
            tok, path = build(family, work)
            sources = [("tokenizer.json", path)]
            for name in f["gguf"]:
                vocab = os.path.join(work, f"{family}-{name or 'unnamed'}.gguf")
                write_gguf(path, name, vocab)
                sources.append((f"GGUF pre={name}" if name else "GGUF without pre", vocab))
            failures += compare(tool, family, tok, sources, strings, work)
        real = real_vocab_as_gpt2(work)
        if real is None:
            print("smollm2-as-gpt2: skipped, models/weights/SmolLM2-135M-Instruct.Q4_1.gguf is absent")
        else:
            tok, path, vocab = real
            failures += compare(tool, "smollm2-as-gpt2", tok, [("tokenizer.json", path), ("GGUF pre=gpt2", vocab)],
                                strings, work)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
