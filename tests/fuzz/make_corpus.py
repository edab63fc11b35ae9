#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora into tests/fuzz/corpus/<target>/ (docs/fuzzing.md).

  make_corpus.py <lmc binary>

Seeds are small well-formed inputs that reach deep into each reader: the lit tests' IR (and
the fusion regions the default pipeline makes of the pass tests), the models' YAML, GGUF files
with every metadata type, every ggml tensor type and both tokenizer kinds and a Gemma 3
mmproj, SafeTensors in every dtype, hand-written tokenizer.json files of both families, an
artifact (whole, and as its sections) compiled from a micro llama with random weights, a
KV-cache snapshot of its prompt (`lmc run --prompt-cache`), and PNG and JPEG images of every
color type. Then the crafted inputs of the bad-input table (tests/badinput/test_bad_inputs.py)
up to MAX_BAD_INPUT_SEED bytes, named bad_<row>.<ext>: each sits just past a check, where a mutation can look for the next bug.
"""
import ctypes
import glob
import json
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

import numpy as np
import gguf
from gguf import GGUFWriter, GGMLQuantizationType as Q

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "badinput"))
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import make_mmproj  # noqa: E402
import make_tiny_model  # noqa: E402
import bad_input_kit  # noqa: E402
import test_bad_inputs  # noqa: E402

SEED_DIR_OF_EXTENSION = {".lir": "ir_parser", ".gguf": "gguf", ".safetensors": "safetensors",
                         ".json": "tokenizer_json", ".yaml": "model_yaml", ".lmc": "artifact"}
FUSION_PIPELINE = "fuse-qkv,fuse-gate-up,fuse-down-act,fuse-norm-linear,fuse-residual,fuse-elementwise,dce"
# The micro llama's artifact variants (71 kB) are in; the 400 kB tiny model's are not.
MAX_BAD_INPUT_SEED = 80 * 1024

SECTION_SEPARATOR = b"\n%%%%\n"  # fuzz_artifact.cpp's kSeparator


def corpus(target):
    d = os.path.join(HERE, "corpus", target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def ir_seeds(lmc, emitted_ir):
    d = corpus("ir_parser")
    for f in sorted(glob.glob(os.path.join(ROOT, "tests", "lit", "**", "*.lir"), recursive=True)):
        shutil.copy(f, os.path.join(d, os.path.basename(f)))
    shutil.copy(emitted_ir, os.path.join(d, "micro_llama.lir"))
    # Fusion regions (nested bodies, block arguments, yield) as the passes print them; the
    # default pipeline less quant-threshold, which needs a d_model these snippets lack.
    for f in sorted(glob.glob(os.path.join(ROOT, "tests", "lit", "passes", "fuse_*.lir"))):
        p = subprocess.run([lmc, "opt", f, "--passes=" + FUSION_PIPELINE], capture_output=True, text=True)
        if p.returncode == 0 and " = fusion " in p.stdout:
            write(os.path.join(d, os.path.basename(f)[:-len(".lir")] + ".fused.lir"), p.stdout)


def yaml_seeds(micro_yaml):
    d = corpus("model_yaml")
    for f in sorted(glob.glob(os.path.join(ROOT, "models", "*.yaml"))):
        shutil.copy(f, os.path.join(d, os.path.basename(f)))
    shutil.copy(micro_yaml, os.path.join(d, "micro_llama.yaml"))


def gguf_metadata_seed(path):
    w = GGUFWriter(path, "test")
    w.add_uint8("u8", 1); w.add_int8("i8", -1); w.add_uint16("u16", 2); w.add_int16("i16", -2)
    w.add_uint32("u32", 3); w.add_int32("i32", -3); w.add_uint64("u64", 4); w.add_int64("i64", -4)
    w.add_float32("f32", 0.5); w.add_float64("f64", 0.25); w.add_bool("bool", True)
    w.add_string("string", "caf\u00e9")
    w.add_array("ints", [1, 2, 3]); w.add_array("strings", ["a", "b"]); w.add_array("floats", [0.5, 1.5])
    w.add_uint32("general.alignment", 64)
    w.add_tensor("t", np.arange(8, dtype=np.float32).reshape(2, 4))
    finish(w)


def gguf_types_seed(path):
    """One 2-row tensor of every ggml type lmc dequantizes (and Q8_K), filled with random bytes."""
    w = GGUFWriter(path, "test")
    rng = np.random.default_rng(1)
    for q in [Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1, Q.Q8_0, Q.Q2_K, Q.Q3_K, Q.Q4_K, Q.Q5_K, Q.Q6_K, Q.Q8_K,
              Q.IQ2_XXS, Q.IQ2_XS, Q.IQ2_S, Q.IQ3_XXS, Q.IQ3_S, Q.IQ1_S, Q.IQ1_M, Q.IQ4_NL, Q.IQ4_XS,
              Q.TQ1_0, Q.TQ2_0, Q.MXFP4, Q.NVFP4, Q.F16, Q.BF16, Q.F64, Q.I8, Q.I16, Q.I32, Q.I64]:
        block, type_size = gguf.GGML_QUANT_SIZES[q]
        row_bytes = max(block, 32) // block * type_size
        w.add_tensor(q.name.lower(), rng.integers(0, 256, (2, row_bytes), dtype=np.uint8),
                     raw_shape=(2, row_bytes), raw_dtype=q)
    finish(w)


def gguf_gpt2_vocab_seed(path):
    w = GGUFWriter(path, "gpt2")
    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("smollm")
    tokens = [chr(c) for c in range(33, 127)] + ["\u0120", "\u0120t", "he", "\u0120the", "<|end|>"]
    w.add_token_list(tokens)
    w.add_token_types([1] * (len(tokens) - 1) + [3])
    w.add_token_merges(["\u0120 t", "h e", "\u0120t he"])
    w.add_bos_token_id(len(tokens) - 1)
    w.add_eos_token_id(len(tokens) - 1)
    w.add_tensor("t", np.ones((1, 4), dtype=np.float16))
    finish(w)


def finish(w):
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


def gguf_seeds(micro_gguf):
    d = corpus("gguf")
    shutil.copy(micro_gguf, os.path.join(d, "micro_llama.gguf"))
    make_tiny_model.write_gguf(os.path.join(d, "micro_llama_nan_eps.gguf"), make_tiny_model.MICRO, eps=float("nan"))
    gguf_metadata_seed(os.path.join(d, "metadata.gguf"))
    gguf_types_seed(os.path.join(d, "types.gguf"))
    gguf_gpt2_vocab_seed(os.path.join(d, "gpt2_vocab.gguf"))
    make_mmproj.write_mmproj(os.path.join(d, "mmproj_gemma3.gguf"))


def safetensors_bytes(tensors, metadata=True):
    header = {"__metadata__": {"format": "pt"}} if metadata else {}
    data, offset = b"", 0
    for name, (dtype, shape, raw) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        data += raw
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def safetensors_seeds():
    d = corpus("safetensors")
    rng = np.random.default_rng(3)
    f32 = rng.standard_normal((3, 4)).astype(np.float32)
    f16 = rng.standard_normal((2, 3)).astype(np.float16)
    bf16 = rng.integers(0, 1 << 16, (2, 2, 2), dtype=np.uint16)
    write(os.path.join(d, "dtypes.safetensors"), safetensors_bytes({
        "a.weight": ("F32", f32.shape, f32.tobytes()), "b.weight": ("F16", f16.shape, f16.tobytes()),
        "c.weight": ("BF16", bf16.shape, bf16.tobytes()),
        "scale": ("F32", (), np.float32(2).tobytes()), "empty": ("F32", (0, 4), b"")}))
    write(os.path.join(d, "plain.safetensors"),
          safetensors_bytes({"w": ("F32", (2,), np.ones(2, np.float32).tobytes())}, metadata=False))


def byte_level_alphabet():
    """GPT-2's 256 byte characters (printable bytes as themselves, the rest from U+0100 on), so
    that any text encodes and a mutation reaches the merges after the pre-tokenizer."""
    printable = [b for b in range(256) if 0x21 <= b <= 0x7E or 0xA1 <= b <= 0xAC or 0xAE <= b <= 0xFF]
    rest = [b for b in range(256) if b not in printable]
    chars = {b: chr(b) for b in printable} | {b: chr(0x100 + i) for i, b in enumerate(rest)}
    return [chars[b] for b in range(256)]


def byte_level_vocab(*merged):
    tokens = byte_level_alphabet() + list(merged)
    return {t: i for i, t in enumerate(tokens)}


TOKENIZERS = {
    "byte_level.json": {
        "added_tokens": [{"id": 3, "content": "<|end|>", "special": True},
                         {"id": 4, "content": "\n\n", "special": False}],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "use_regex": True},
        "post_processor": {"type": "TemplateProcessing",
                           "single": [{"SpecialToken": {"id": "<|end|>", "type_id": 0}},
                                      {"Sequence": {"id": "A", "type_id": 0}}]},
        "model": {"type": "BPE", "vocab": {"h": 0, "i": 1, "hi": 2, "<|end|>": 3, "\n\n": 4},
                  "merges": ["h i"]},
    },
    "smollm.json": {
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Digits", "individual_digits": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}]},
        "model": {"type": "BPE", "vocab": {"1": 0, "2": 1, "12": 2, "\u0120": 3, "a": 4},
                  "merges": [["1", "2"]], "unk_token": None},
    },
    "metaspace.json": {
        "added_tokens": [{"id": 0, "content": "<s>", "special": True},
                         {"id": 1, "content": "\n", "special": False}],
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first",
                          "split": False},
        "model": {"type": "BPE", "byte_fallback": True, "unk_token": None,
                  "vocab": {"<s>": 0, "\n": 1, "<0xC3>": 2, "<0xA9>": 3, "\u2581": 4, "a": 5, "\u2581a": 6},
                  "merges": ["\u2581 a"]},
    },
    "normalizers.json": {
        "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "Prepend", "prepend": "\u2581"},
            {"type": "Replace", "pattern": {"String": " "}, "content": "\u2581"}]},
        "pre_tokenizer": {"type": "Split", "pattern": {"String": " "}, "behavior": "MergedWithPrevious"},
        "model": {"type": "BPE", "byte_fallback": False, "unk_token": "<unk>",
                  "vocab": {"<unk>": 0, "\u2581": 1, "b": 2, "\u2581b": 3}, "merges": ["\u2581 b"]},
    },
    "regex_split.json": {
        "normalizer": {"type": "NFC"},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "(?i:'s|'t)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|\\s+(?!\\S)|\\s+"},
             "behavior": "Isolated", "invert": False},
            {"type": "Split", "pattern": {"String": "x"}, "behavior": "Removed", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": False, "use_regex": False}]},
        "model": {"type": "BPE", "vocab": byte_level_vocab("hi"), "merges": ["h i"]},
    },
    "split_behaviors.json": {
        "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}]},
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": "[\\p{P}]"}, "behavior": "MergedWithPrevious", "invert": False},
            {"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "MergedWithNext", "invert": True},
            {"type": "Split", "pattern": {"Regex": "x*"}, "behavior": "Contiguous", "invert": False},
            {"type": "Digits", "individual_digits": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True}]},
        "model": {"type": "BPE", "vocab": byte_level_vocab("hi", "12"), "merges": ["h i", "1 2"]},
    },
    "llama3_shape.json": {
        "added_tokens": [{"id": 258, "content": "<|begin_of_text|>", "special": True}],
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Punctuation", "behavior": "Contiguous"},
            {"type": "Split", "pattern": {"Regex": "\\p{N}{1,3}"}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False}]},
        "post_processor": {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<|begin_of_text|>", "type_id": 0}},
                                                      {"Sequence": {"id": "A", "type_id": 0}}]}]},
        "model": {"type": "BPE", "ignore_merges": True, "vocab": byte_level_vocab("12", "123", "<|begin_of_text|>"),
                  "merges": ["1 2"]},
    },
    "metaspace_split.json": {
        "pre_tokenizer": {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "always", "split": True},
        "model": {"type": "BPE", "byte_fallback": True, "unk_token": None,
                  "vocab": {t: i for i, t in enumerate([f"<0x{b:02X}>" for b in range(256)] +
                                                       ["\u2581", "a", "\u2581a", "a\u2581"])},
                  "merges": ["\u2581 a", "a \u2581"]},
    },
}


def tokenizer_seeds():
    d = corpus("tokenizer_json")
    for name, doc in TOKENIZERS.items():
        write(os.path.join(d, name), json.dumps(doc, indent=1, ensure_ascii=False))


# Patterns compiled to the automaton (structured/regex_syntax.h), alone, with a length or a
# format, in and beside the subset.
PATTERN_SCHEMAS = [
    ("pattern_code", {"type": "string", "pattern": "^[A-Z]{3}-\\d{4}$"}),
    ("pattern_anywhere", {"type": "string", "pattern": "(?:ab|c[^d]){2,}x?", "maxLength": 12}),
    ("pattern_format", {"type": "string", "format": "date", "pattern": "^20\\d\\d-0[1-6]"}),
    ("pattern_object", {"type": "object", "properties": {
        "id": {"type": "string", "pattern": "^\\w+(\\.\\w+)*$", "minLength": 3},
        "tag": {"type": "string", "pattern": "^(red|green|blue)$"}}, "required": ["id"]}),
    ("pattern_refused", {"type": "string", "pattern": "(a)\\1"}),
]


def json_schema_seeds():
    """The e2e test's schemas (tests/e2e/test_serve_json.py), the ones it expects refused,
    json_object's and the patterns', each followed by the separator and choice bytes that walk the
    automaton (fuzz_json_schema.cpp)."""
    sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
    import test_serve_json  # noqa: E402
    d = corpus("json_schema")
    schemas = [(name, s) for name, s in test_serve_json.SCHEMAS]
    schemas += [(f"refused_{i}", s) for i, (s, _, _) in enumerate(test_serve_json.BAD)]
    schemas.append(("any_object", {"type": "object"}))
    schemas += PATTERN_SCHEMAS
    choices = bytes((i * 37 + 11) % 256 for i in range(400))
    for name, schema in schemas:
        write(os.path.join(d, name + ".seed"), json.dumps(schema).encode() + SECTION_SEPARATOR + choices)


GBNF_TEXTS = {
    "json": '{"a": [1, -2.5e3, true, null], "b": {"c": "d\\n"}}',
    "list": "- one\n- two words\n",
    "arithmetic": "(a * b) - 4 = c\n2=2\n",
    "c": "int main() {\n  int x = 1;\n  while (x < 10) { x = x + 1; }\n  return x;\n}\n",
}
# Grammars the compiler must refuse or bound (gbnf_grammar.h), and odd ones it takes.
GBNF_HOSTILE = {
    "left_recursion": 'root ::= expr\nexpr ::= term "+" | "x"\nterm ::= (expr "*")?\n',
    "nullable_repetition": 'root ::= "a" ("b"?)*\n',
    "huge_count": 'root ::= "a"{0,100000}\n',
    "ambiguous": 'root ::= x*\nx ::= "a" | y | z\ny ::= "a"\nz ::= "a" "b"?\n',
    "deep": 'root ::= "(" root ")" | [^()]\n',
    "utf8_classes": 'root ::= [α-ω\\u4e00-\\u9fff]+ "€"? [^\\x00-\\x7f]*\n',
}


def gbnf_seeds():
    """The example grammars (examples/grammars) with a text of each, and hostile grammars,
    each followed by the separator and the bytes that are fed and walk the matcher
    (fuzz_gbnf.cpp)."""
    d = corpus("gbnf")
    choices = bytes((i * 37 + 11) % 256 for i in range(200))
    for name, text in GBNF_TEXTS.items():
        grammar = open(os.path.join(ROOT, "examples", "grammars", name + ".gbnf"), "rb").read()
        write(os.path.join(d, name + ".seed"), grammar + SECTION_SEPARATOR + text.encode() + choices)
    for name, grammar in GBNF_HOSTILE.items():
        write(os.path.join(d, name + ".seed"), grammar.encode() + SECTION_SEPARATOR + b"((a))aaab" + choices)


def pass_file_seeds():
    """The built-in pass files and those of the pass-file lit tests (split-file parts)."""
    d = corpus("pass_file")
    for f in sorted(glob.glob(os.path.join(ROOT, "passes", "text", "builtin", "*.pass"))):
        shutil.copy(f, os.path.join(d, os.path.basename(f)))
    for f in sorted(glob.glob(os.path.join(ROOT, "tests", "lit", "passes", "text", "*.lir"))):
        parts = open(f).read().split("\n//--- ")[1:]
        for part in parts:
            name, _, body = part.partition("\n")
            if name.endswith(".pass"):
                write(os.path.join(d, os.path.basename(f)[:-len(".lir")] + "_" + os.path.basename(name)), body)


def artifact_sections(path):
    """name -> bytes of every section of an artifact (runtime/artifact/artifact.h's layout)."""
    blob = open(path, "rb").read()
    _, count, table_offset, _ = struct.unpack_from("<IIQQ", blob, 8)
    sections, at = {}, table_offset
    for _ in range(count):
        (n,) = struct.unpack_from("<I", blob, at)
        name = blob[at + 4:at + 4 + n].decode()
        offset, size, _ = struct.unpack_from("<QQQ", blob, at + 4 + n)
        sections[name] = blob[offset:offset + size]
        at += 4 + n + 24
    return sections


def artifact_seeds(artifact):
    d = corpus("artifact")
    shutil.copy(artifact, os.path.join(d, "micro_llama.lmc"))
    s = artifact_sections(artifact)
    parts = [s["manifest"], s["weight_index"], s["tokenizer"], s["ir"]]
    write(os.path.join(d, "micro_llama.sections"), SECTION_SEPARATOR.join(parts))
    write(os.path.join(corpus("kernel_object"), "micro_llama.o"), s["kernels"])


def kv_snapshot_seeds(lmc, artifact, env):
    """The micro llama's prompt saved by `lmc run --prompt-cache`: a whole snapshot, small."""
    path = os.path.join(corpus("kv_snapshot"), "micro_llama.kvsnap")
    subprocess.run([lmc, "run", artifact, "-p", "Hello there", "-n", "2", "--prompt-cache", path], check=True,
                   capture_output=True, env=env)


def badinput_seeds(lmc, tmp):
    """The bad-input rows' files, made against a micro llama (so that truncations and edits
    of the shared model stay small) compiled into an artifact sealed with a throwaway key."""
    shared = os.path.join(tmp, "badinput")
    bad_input_kit.use_shared(shared)
    make_tiny_model.main(shared, micro=True)
    write(bad_input_kit.OTHER_KEY, os.urandom(32).hex() + "\n")
    env = dict(os.environ, LMC_KEY_FILE=bad_input_kit.USER_KEY)
    subprocess.run([lmc, "compile", os.path.join(shared, "tiny.yaml"), "-o", os.path.join(shared, "tiny.lmc")],
                   check=True, capture_output=True, env=env)
    seen = {open(f, "rb").read() for f in glob.glob(os.path.join(HERE, "corpus", "*", "*"))}
    for row in test_bad_inputs.rows():
        for name, make in row.files.items():
            ext = os.path.splitext(name)[1]
            if ext not in SEED_DIR_OF_EXTENSION:
                continue
            content = make()
            if content is bad_input_kit.FIFO or len(content) > MAX_BAD_INPUT_SEED or content in seen:
                continue
            seen.add(content)
            write(os.path.join(HERE, "corpus", SEED_DIR_OF_EXTENSION[ext], f"bad_{row.name}{ext}"), content)


def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(w, h, color_type, bit_depth, row_bytes, extra=b""):
    """A PNG of w x h whose every row is the row_bytes (filter byte 0 then the samples)."""
    rows = b"".join(b"\0" + row_bytes for _ in range(h))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, bit_depth, color_type, 0, 0, 0))
            + extra + png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


def jpeg(w, h, channels, subsampling, flags=0):
    """A JPEG of a gradient, from libjpeg-turbo's encoder (TurboJPEG, through ctypes)."""
    tj = ctypes.CDLL("libturbojpeg.so.0")
    tj.tjInitCompress.restype = ctypes.c_void_p
    handle = ctypes.c_void_p(tj.tjInitCompress())
    pixels = bytes((x * 7 + y * 5 + c * 60) % 256 for y in range(h) for x in range(w) for c in range(channels))
    buf, size = ctypes.POINTER(ctypes.c_ubyte)(), ctypes.c_ulong(0)
    pixel_format = 0 if channels == 3 else 6  # TJPF_RGB, TJPF_GRAY
    if tj.tjCompress2(handle, pixels, w, 0, h, pixel_format, ctypes.byref(buf), ctypes.byref(size), subsampling,
                      90, flags) != 0:
        raise RuntimeError("tjCompress2 failed")
    out = ctypes.string_at(buf, size.value)
    tj.tjFree(buf)
    tj.tjDestroy(handle)
    return out


def image_seeds():
    """fuzz_image: PNGs of every color type (palette with transparency, 16-bit, 1-bit gray) and
    JPEGs baseline and progressive, 4:4:4, 4:2:0 and gray."""
    d = corpus("image")
    write(os.path.join(d, "rgb.png"), png(8, 8, 2, 8, bytes(range(24))))
    write(os.path.join(d, "gray.png"), png(4, 4, 0, 8, b"\x10\x80\xc0\xff"))
    write(os.path.join(d, "gray_alpha.png"), png(4, 2, 4, 8, bytes(range(0, 256, 32))))
    write(os.path.join(d, "rgba.png"), png(4, 4, 6, 8, bytes(range(16))))
    write(os.path.join(d, "rgb16.png"), png(2, 2, 2, 16, bytes(range(12))))
    write(os.path.join(d, "gray1.png"), png(16, 2, 0, 1, b"\xa5\x3c"))
    palette = png_chunk(b"PLTE", bytes(range(12))) + png_chunk(b"tRNS", b"\xff\x80")
    write(os.path.join(d, "palette.png"), png(4, 4, 3, 8, b"\x00\x01\x02\x03", palette))
    write(os.path.join(d, "rgb444.jpg"), jpeg(16, 16, 3, 0))  # TJSAMP_444
    write(os.path.join(d, "rgb420.jpg"), jpeg(24, 16, 3, 2))  # TJSAMP_420
    write(os.path.join(d, "progressive.jpg"), jpeg(16, 16, 3, 2, flags=16384))  # TJFLAG_PROGRESSIVE
    write(os.path.join(d, "gray.jpg"), jpeg(8, 8, 1, 3))  # TJSAMP_GRAY


def main(lmc):
    with tempfile.TemporaryDirectory() as tmp:
        make_tiny_model.main(tmp, micro=True)
        yaml = os.path.join(tmp, "tiny.yaml")
        lir, lmc_file = os.path.join(tmp, "micro.lir"), os.path.join(tmp, "micro.lmc")
        # Sealed with a throwaway key: the reader's checks do not depend on whose it is.
        env = dict(os.environ, LMC_KEY_FILE=os.path.join(tmp, "artifact.key"))
        subprocess.run([lmc, "compile", yaml, "--emit-ir", "-o", lir], check=True)
        subprocess.run([lmc, "compile", yaml, "-o", lmc_file], check=True, stderr=subprocess.DEVNULL, env=env)
        ir_seeds(lmc, lir)
        yaml_seeds(yaml)
        gguf_seeds(os.path.join(tmp, "tiny.gguf"))
        artifact_seeds(lmc_file)
        kv_snapshot_seeds(lmc, lmc_file, env)
        safetensors_seeds()
        tokenizer_seeds()
        json_schema_seeds()
        gbnf_seeds()
        pass_file_seeds()
        image_seeds()
        badinput_seeds(lmc, tmp)


if __name__ == "__main__":
    main(sys.argv[1])
