#!/usr/bin/env python3
"""Hostile and broken inputs to every lmc command, one table row each.

A row is a command line, the crafted files it reads, the exit code it must give and a regex
the ONE line it prints on stderr must match (the file and the place, then "error:"). Every
row also checks that nothing crashed (no signal, nothing that looks like a sanitizer report,
an uncaught exception or a backtrace) and that nothing was left behind: each row runs in a
fresh directory, and afterwards that directory holds exactly the files the row wrote and
nothing else — no partial artifact, no temporary file.

  test_bad_inputs.py --lmc build/tools/lmc --work <scratch dir> [-k substring]

The rows' models come from make_tiny_model.py (a 2-layer llama with random weights). lmc's
artifact key is <work>/shared/user.key (LMC_KEY_FILE), so the table never touches ~/.config.
"""
import argparse
import hashlib
import hmac
import json
import os
import re
import resource
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

import xxhash

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "e2e"))
import make_random_checkpoint  # noqa: E402
import make_tiny_model  # noqa: E402

USAGE = 2
ERROR = 1
FIFO = b"<a FIFO, not a file>"  # a row file made with mkfifo: opening it for reading blocks
CRASH_SIGNS = re.compile(r"Traceback|terminate called|what\(\):|Aborted|Segmentation|core dumped|Sanitizer|"
                         r"runtime error:|^\s*#\d+ 0x|std::|basic_string|filesystem error", re.M)


@dataclass
class Row:
    name: str
    args: List[str]                  # "{dir}" is the row's directory, "{tiny}" the shared model's; "{root}" the repository
    exit: int
    stderr: Optional[str]            # regex: the one stderr line (errors) or a line stderr holds (exit 0; None: any)
    files: Dict[str, Callable[[], bytes]] = field(default_factory=dict)  # inputs written first
    stdin: Optional[str] = None
    setup: Optional[Callable[[str], None]] = None  # more preparation of the row's directory
    absent: Optional[str] = None     # regex no stderr line may match
    stdout: Optional[str] = None     # regex stdout must match; it must then hold no control character
    file_size_limit: Optional[int] = None  # RLIMIT_FSIZE for lmc: a full disk, without filling one


# ---------------------------------------------------------------- GGUF

def gguf(tensors=(), kv=b"", n_kv=0, n_tensors=None, data=b""):
    """A GGUF file; tensors are (name, ne innermost first, ggml type, offset)."""
    def s(text):
        b = text.encode()
        return struct.pack("<Q", len(b)) + b
    out = b"GGUF" + struct.pack("<IQQ", 3, len(tensors) if n_tensors is None else n_tensors, n_kv) + kv
    for name, ne, typ, offset in tensors:
        out += s(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", d) for d in ne)
        out += struct.pack("<IQ", typ, offset)
    return out + b"\0" * (-len(out) % 32) + data  # data starts at GGUF's default alignment


F32 = 0
IQ2_XXS = 16
GGUF_STRING = 8
GGUF_UINT32 = 4


def gguf_string_kv(key, value):
    def s(text):
        b = text.encode()
        return struct.pack("<Q", len(b)) + b
    return s(key) + struct.pack("<I", GGUF_STRING) + s(value)


def gguf_u32_kv(key, value):
    b = key.encode()
    return struct.pack("<Q", len(b)) + b + struct.pack("<II", GGUF_UINT32, value)


def tiny_gguf_bytes():
    with open(os.path.join(SHARED, "tiny.gguf"), "rb") as f:
        return f.read()


# ---------------------------------------------------------------- SafeTensors

def write_folder(d, files):
    """A would-be Hugging Face model folder d/hf holding `files` (name -> bytes)."""
    os.makedirs(os.path.join(d, "hf"))
    for name, content in files.items():
        with open(os.path.join(d, "hf", name), "wb") as f:
            f.write(content)


def safetensors(header_json, data=b"", header_len=None):
    h = header_json.encode()
    return struct.pack("<Q", len(h) if header_len is None else header_len) + h + data


# ---------------------------------------------------------------- IR

def lir(body, args="%x: f32[T,64]"):
    return f"graph @g({args}) {{\n{body}\n}}\n".encode()


def npy(shape, descr="<f4", data=None, header=None):
    """A .npy file (format 1.0) of zeros of `shape`, or with `data` or a header dict of its own."""
    if header is None:
        header = "{'descr': '%s', 'fortran_order': False, 'shape': (%s), }" % (descr, "".join(f"{d}, " for d in shape))
    text = header.encode()
    text += b" " * (-(10 + len(text) + 1) % 64) + b"\n"
    if data is None:
        count = 1
        for d in shape:
            count *= d
        data = b"\0" * (count * int(descr[-1]))
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + data


def exec_row(name, npy_bytes, pattern, lir_text=None, args=("--dim", "T=3", "--input", "x={dir}/x.npy"), exit=ERROR):
    """lmc exec of a small graph (a SiLU of %x: f32[T,64]) with x.npy as its input."""
    files = {"g.lir": lambda: lir_text or lir("  %y = silu %x : f32[T,64]\n  return %y")}
    if npy_bytes is not None:
        files["x.npy"] = lambda: npy_bytes
    return Row(name, ["exec", "{dir}/g.lir", *args], exit, pattern, files)


# ---------------------------------------------------------------- YAML

def tiny_yaml(replace=None, weights=None):
    text = make_tiny_model.YAML.replace("weights: tiny.gguf", f"weights: {weights or os.path.join(SHARED, 'tiny.gguf')}")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    return text.encode()


def tiny_gguf_variant(**changes):
    """tiny.gguf written again with make_tiny_model.write_gguf's `changes` (a tensor hook,
    another epsilon), as bytes."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.gguf")
        make_tiny_model.write_gguf(path, make_tiny_model.TINY, **changes)
        with open(path, "rb") as f:
            return f.read()


def short_embedding(name, t):
    """The token embedding cut to 200 of the vocabulary's 300 rows."""
    return t[:200] if name == "token_embd.weight" else t


def write_tiny_family(d, kind, **changes):
    """A one-layer checkpoint of a Llama-like family in d/hf at toy width, its config.json
    changed by `changes`."""
    config = dict(make_random_checkpoint.KINDS[kind][0], hidden_size=64, num_hidden_layers=1, num_attention_heads=4,
                  num_key_value_heads=2, intermediate_size=128, vocab_size=1024, max_position_embeddings=64)
    if "head_dim" in config:
        config["head_dim"] = 16
    config.update(changes)
    make_random_checkpoint.write_checkpoint(os.path.join(d, "hf"), kind, config, seed=1)


def write_tiny_gpt2(d):
    """A GPT-2 checkpoint in d/gpt2 whose learned position table has 8 rows, and d/m.yaml
    (models/gpt2.yaml reading it)."""
    config = dict(make_random_checkpoint.GPT2, n_embd=16, n_layer=1, n_head=2, n_positions=8, n_ctx=8,
                  vocab_size=600)
    make_random_checkpoint.write_checkpoint(os.path.join(d, "gpt2"), "gpt2", config, seed=1)
    with open(os.path.join(ROOT, "models", "gpt2.yaml")) as f:
        text = f.read().replace("weights/gpt2", "gpt2")
    with open(os.path.join(d, "m.yaml"), "w") as f:
        f.write(text)


def write_q1_0_weight_gguf(path):
    """tiny.gguf with one layer weight stored as ggml Q1_0, which lmc (like gguf-py) does not
    dequantize: compile gets as far as packing weights into the artifact before it fails."""
    import numpy as np
    from gguf import GGMLQuantizationType

    def to_q1_0(name, t):
        if name != "blk.1.ffn_down.weight":
            return t
        rows, cols = t.shape
        blocks = np.random.default_rng(3).integers(0, 256, (rows, cols // 128 * 18), dtype=np.uint8)
        return blocks, GGMLQuantizationType.Q1_0
    make_tiny_model.write_gguf(path, make_tiny_model.TINY, to_q1_0)


# ---------------------------------------------------------------- artifacts

def artifact_sections(blob):
    """(header fields, [(name, offset, size, digest, where the entry's offset field is)])."""
    version, count, table_offset, table_size, _ = struct.unpack_from("<IIQQQ", blob, 8)
    entries, at = [], table_offset
    for _ in range(count):
        (n,) = struct.unpack_from("<I", blob, at)
        name = blob[at + 4:at + 4 + n].decode()
        offset, size, h = struct.unpack_from("<QQQ", blob, at + 4 + n)
        entries.append((name, offset, size, h, at + 4 + n))
        at += 4 + n + 24
    return (version, count, table_offset, table_size), entries


def digest(data):
    return xxhash.xxh3_64_intdigest(data)


def read_key(path):
    with open(path) as f:
        return bytes.fromhex(f.read().strip())


def seal(blob, key):
    """runtime/artifact/artifact_seal.h's seal, made with `key` (None: left as it is): HMAC-SHA256 of
    every section but the weights in table order, the table, and header bytes [8, 40)."""
    if key is None:
        return blob
    (_, _, table_offset, table_size), entries = artifact_sections(blob)
    mac = hmac.new(key, digestmod=hashlib.sha256)
    for name, offset, size, _, _ in entries:
        if name != "weights":
            mac.update(blob[offset:offset + size])
    mac.update(blob[table_offset:table_offset + table_size])
    mac.update(blob[8:40])
    return blob[:40] + mac.digest() + blob[72:]


def replace_section(blob, section, new, key):
    """The artifact with `section`'s bytes replaced (`new` must not be longer) and every
    digest that covers it fixed — the section table's entry, the manifest's digest.<section>
    line, the header's digest of the table — then sealed with `key`: with the user's key it
    is what a buggy lmc would write, with None what anyone could make from a file."""
    blob = bytearray(blob)
    (_, _, table_offset, table_size), entries = artifact_sections(bytes(blob))
    _, offset, size, _, entry_at = next(e for e in entries if e[0] == section)
    assert len(new) <= size, "the edit must not grow the section"
    blob[offset:offset + len(new)] = new
    struct.pack_into("<QQ", blob, entry_at + 8, len(new), digest(new))
    struct.pack_into("<Q", blob, 32, digest(bytes(blob[table_offset:table_offset + table_size])))
    if section == "manifest":
        return seal(bytes(blob), key)
    line = manifest_line(f"digest.{section}", lambda v: f"{digest(new):016x}")
    return reseal(bytes(blob), "manifest", line, key)


def reseal(blob, section, edit, key="user"):
    """The artifact with one section's text passed through `edit` (see replace_section);
    `key` "user" seals with the table's user key."""
    (_, _, _, _), entries = artifact_sections(blob)
    _, offset, size, _, _ = next(e for e in entries if e[0] == section)
    new = edit(blob[offset:offset + size].decode()).encode()
    return replace_section(blob, section, new, read_key(USER_KEY) if key == "user" else key)


def elf_text_filled_with_int3(obj):
    """The object file with every byte of its .text sections replaced by int3 (0xCC): code
    that traps the moment any kernel runs."""
    obj = bytearray(obj)
    shoff, = struct.unpack_from("<Q", obj, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", obj, 0x3A)
    header = lambda i: struct.unpack_from("<IIQQQQ", obj, shoff + i * shentsize)
    names_at = header(shstrndx)[4]
    filled = 0
    for i in range(shnum):
        name_off, _, _, _, offset, size = header(i)
        name = obj[names_at + name_off:obj.index(b"\0", names_at + name_off)]
        if name.startswith(b".text"):
            obj[offset:offset + size] = b"\xcc" * size
            filled += size
    assert filled, "no .text section in the kernels' object"
    return bytes(obj)


def trapping_kernels(blob, key):
    """The artifact with int3 for code, every digest recomputed, sealed with `key`."""
    _, entries = artifact_sections(blob)
    _, offset, size, _, _ = next(e for e in entries if e[0] == "kernels")
    return replace_section(blob, "kernels", elf_text_filled_with_int3(blob[offset:offset + size]), key)


def lying_work_items(key):
    """kernel.1 (the norm+qkv fusion) claims 99999999 work items (fixed count), as no IR gives."""
    def edit(text):
        text = manifest_line("kernel.1", lambda v: " ".join(
            f if i != 4 else "99999999" for i, f in enumerate(v.split(" "))))(text)
        return manifest_line("info.weights", lambda v: v[:len(v) - 8])(text)
    return reseal(tiny_artifact(), "manifest", edit, key)


def flipped_weight_byte(blob):
    """One byte flipped inside the first tensor, nothing resealed."""
    _, entries = artifact_sections(blob)
    _, offset, _, _, _ = next(e for e in entries if e[0] == "weights")
    return blob[:offset + 5] + bytes([blob[offset + 5] ^ 0x40]) + blob[offset + 6:]


def tiny_artifact():
    with open(os.path.join(SHARED, "tiny.lmc"), "rb") as f:
        return f.read()


def manifest_line(key, value):
    def edit(text):
        lines = text.splitlines()
        i = next(i for i, l in enumerate(lines) if l.startswith(key + "="))
        lines[i] = f"{key}={value(lines[i][len(key) + 1:])}"
        return "\n".join(lines) + "\n"
    return edit


def manifest_line_same_size(key, value):
    """manifest_line, shortening info.weights (a path that only informs) by as much as the
    new value is longer, so the manifest does not grow."""
    def edit(text):
        new = manifest_line(key, value)(text)
        grow = max(len(new.encode()) - len(text.encode()), 0)
        return manifest_line("info.weights", lambda v: v[:len(v) - grow])(new)
    return edit


def missing_cpu_feature():
    flags = open("/proc/cpuinfo").read()
    # (LLVM's name, /proc/cpuinfo's): AMD-only features for Intel hosts, Intel-only ones for AMD.
    for llvm, cpuinfo in [("sse4a", "sse4a"), ("xop", "xop"), ("amx-tile", "amx_tile"), ("avx512fp16", "avx512_fp16")]:
        if not re.search(rf"\b{cpuinfo}\b", flags):
            return llvm
    return None


def with_feature(extra):
    """Appends `extra` to target.features, shortening info.weights (a long path that only
    informs) by as much, so the manifest keeps its size."""
    def edit(text):
        text = manifest_line("target.features", lambda v: v + extra)(text)
        return manifest_line("info.weights", lambda v: v[:len(v) - len(extra)])(text)
    return edit


def with_format_version(blob, version):
    return blob[:8] + struct.pack("<I", version) + blob[12:]


# ---------------------------------------------------------------- the table

LONG_PROMPT = "the " * 40
EPILOGUE = make_tiny_model.YAML[make_tiny_model.YAML.index("epilogue:"):make_tiny_model.YAML.index("outputs:")]


def rows():
    t = [
        # GGUF: truncated, counts and offsets past EOF, overflowing, zero dims, unknown types, duplicates.
        Row("gguf_truncated", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: .*(truncated|past the end|cannot fit in the remaining)",
            {"m.gguf": lambda: tiny_gguf_bytes()[:1000]}),
        Row("gguf_truncated_data", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor '.*': data at offset \d+ \+ \d+ bytes runs past the end",
            {"m.gguf": lambda: tiny_gguf_bytes()[:-100]}),
        Row("gguf_tensor_count_past_eof", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor count \d+ cannot fit in the remaining \d+ bytes",
            {"m.gguf": lambda: gguf(n_tensors=1 << 40)}),
        Row("gguf_metadata_count_past_eof", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset 16: error: metadata count \d+ cannot fit",
            {"m.gguf": lambda: gguf(n_kv=1 << 60)}),
        Row("gguf_string_past_eof", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset 24: error: metadata key length \d+ runs past the end of the file",
            {"m.gguf": lambda: gguf(n_kv=1, kv=struct.pack("<Q", 1 << 50) + b"x" * 16)}),
        Row("gguf_offset_past_eof", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w': data at offset 1048576 \+ 16 bytes runs past the end",
            {"m.gguf": lambda: gguf([("w", [4], F32, 1 << 20)], data=b"\0" * 16)}),
        Row("gguf_dims_overflow", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w': element count overflows int64",
            {"m.gguf": lambda: gguf([("w", [1 << 32, 1 << 32], F32, 0)])}),
        Row("gguf_zero_dim", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w': dimension 1 is 0 \(must be positive\)",
            {"m.gguf": lambda: gguf([("w", [4, 0], F32, 0)], data=b"\0" * 16)}),
        Row("gguf_unknown_type", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w' has unknown ggml type 99",
            {"m.gguf": lambda: gguf([("w", [4], 99, 0)], data=b"\0" * 16)}),
        Row("gguf_retired_type", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w' has unknown ggml type 31$",
            {"m.gguf": lambda: gguf([("w", [4], 31, 0)], data=b"\0" * 16)}),
        Row("gguf_truncated_iq_tensor", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'w': data at offset 0 \+ 132 bytes runs past the end of the file$",
            {"m.gguf": lambda: gguf([("w", [512], IQ2_XXS, 0)], data=b"\0" * 100)}),
        Row("gguf_duplicate_tensor", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: duplicate tensor name 'w'",
            {"m.gguf": lambda: gguf([("w", [4], F32, 0), ("w", [4], F32, 32)], data=b"\0" * 64)}),
        Row("gguf_not_gguf", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset 0: error: not a GGUF file \(bad magic\)",
            {"m.gguf": lambda: b"PK\3\4" + b"\0" * 60}),

        Row("gguf_overlapping_tensors", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: tensor 'b' overlaps tensor 'a'",
            {"m.gguf": lambda: gguf([("a", [8], F32, 0), ("b", [4], F32, 0)], data=b"\0" * 32)}),
        Row("gguf_escape_sequence_in_error", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf:offset \d+: error: duplicate tensor name '\\e\[2J\\e\]0;owned\\x07'$",
            {"m.gguf": lambda: gguf([("\x1b[2J\x1b]0;owned\x07", [4], F32, 0),
                                     ("\x1b[2J\x1b]0;owned\x07", [4], F32, 32)], data=b"\0" * 64)}),
        Row("gguf_fifo", ["inspect", "{dir}/m.gguf"], ERROR,
            r"^\S*m\.gguf: error: not a regular file \(a FIFO\)", {"m.gguf": lambda: FIFO}),

        # SafeTensors: the same failures in the other weights format.
        Row("safetensors_truncated", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset 0: error: file of 5 bytes is too small for a SafeTensors header",
            {"m.safetensors": lambda: b"\x10\0\0\0\0"}),
        Row("safetensors_truncated_header", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset 0: error: header length 60 runs past the end of the \d+-byte file",
            {"m.safetensors": lambda: safetensors('{"w": {"dtype": "F32"', header_len=60)}),
        Row("safetensors_offsets_past_eof", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset \d+: error: tensor 'w': data_offsets \[0, 4096\] outside the 8-byte data section",
            {"m.safetensors": lambda: safetensors(
                '{"w":{"dtype":"F32","shape":[1024],"data_offsets":[0,4096]}}', b"\0" * 8)}),
        Row("safetensors_dims_overflow", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset \d+: error: element count overflows int64",
            {"m.safetensors": lambda: safetensors(
                '{"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,0]}}')}),
        Row("safetensors_negative_dim", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset \d+: error: negative dimension -4",
            {"m.safetensors": lambda: safetensors('{"w":{"dtype":"F32","shape":[-4],"data_offsets":[0,0]}}')}),
        Row("safetensors_unknown_dtype", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset \d+: error: tensor 'w': unsupported dtype 'F8_E5M2'",
            {"m.safetensors": lambda: safetensors(
                '{"w":{"dtype":"F8_E5M2","shape":[4],"data_offsets":[0,4]}}', b"\0" * 4)}),
        Row("safetensors_duplicate_tensor", ["inspect", "{dir}/m.safetensors"], ERROR,
            r"^\S*m\.safetensors:offset \d+: error: duplicate key 'w'",
            {"m.safetensors": lambda: safetensors(
                '{"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                '"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', b"\0" * 8)}),

        # IR text through lmc opt.
        Row("ir_cycle", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2: error: op 'add' defining %a \(line 2\) is on a dependency cycle",
            {"g.lir": lambda: lir("  %a = add %x, %b : f32[T,64]\n  %b = scale %a {factor = 2.0} : f32[T,64]\n"
                                  "  return %b")}),
        Row("ir_undefined_value", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2:\d+: error: use of undefined value %nope",
            {"g.lir": lambda: lir("  %a = add %x, %nope : f32[T,64]\n  return %a")}),
        Row("ir_operand_count", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2: error: op 'add' defining %a \(line 2\) has 3 operands, expects 2",
            {"g.lir": lambda: lir("  %a = add %x, %x, %x : f32[T,64]\n  return %a")}),
        Row("ir_mismatched_shapes", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2: error: op 'add' .*operands differ: f32\[T,64\] vs f32\[T,32\]",
            {"g.lir": lambda: lir("  %a = add %x, %y : f32[T,64]\n  return %a", "%x: f32[T,64], %y: f32[T,32]")}),
        Row("ir_zero_dim", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:1:\d+: error: dims must be positive",
            {"g.lir": lambda: lir("  return %x", "%x: f32[T,0]")}),
        Row("ir_negative_dim", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:1:\d+: error: expected a dim",
            {"g.lir": lambda: lir("  return %x", "%x: f32[-8]")}),
        Row("ir_dims_overflow", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:1:\d+: error: type f32\[4294967296,4294967296,4294967296\] is larger than 2\^62 bytes",
            {"g.lir": lambda: lir("  %a = scale %x {factor = 2.0} : f32[4294967296,4294967296,4294967296]\n"
                                  "  return %a", "%x: f32[4294967296,4294967296,4294967296]")}),
        Row("ir_split_sizes_wrap", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2: error: op 'split' .*: sum of sizes overflows int64",
            {"g.lir": lambda: lir(split_wrapping_sizes())}),
        Row("ir_attention_heads_wrap", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2: error: op 'attention' .*: n_heads \* head_dim overflows int64",
            {"g.lir": lambda: lir("  %y = attention %q, %k, %v, %p, %s {n_heads = 4611686018427387920, "
                                  "n_kv_heads = 4611686018427387920, head_dim = 4, scale = 1.0} : f32[T,64]\n"
                                  "  return %y", "%q: f32[T,64], %k: f32[32,64], %v: f32[32,64], %p: i32[T], %s: i32[T]")}),
        Row("ir_op_codegen_refuses", ["opt", "{dir}/g.lir", "--dump-llvm-ir", "{dir}/kernels"], ERROR,
            r"^\S*g\.lir:3: error: op 'linear' defining %y \(line 3\): cannot generate its kernel: linear kernel "
            r"linear\(f32\[T,64\], f16\[32,64\]\) -> \(f32\[T,32\]\): weight must be f32, q8_0, a block type kept from a file \(q4_0 ... iq4_xs\) or one of their x16 panels",
            {"g.lir": lambda: lir('  %w = param {name = "w"} : f16[32,64]\n  %y = linear %x, %w : f32[T,32]\n'
                                  "  return %y")}),
        Row("ir_fifo", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir: error: not a regular file \(a FIFO\)", {"g.lir": lambda: FIFO}),
        Row("ir_unknown_dtype", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:1:\d+: error: unknown dtype 'f33'",
            {"g.lir": lambda: lir("  return %x", "%x: f33[4]")}),
        Row("ir_truncated", ["opt", "{dir}/g.lir"], ERROR,
            r"^\S*g\.lir:2:\d+: error: ",
            {"g.lir": lambda: lir("  %a = add %x, %x : f32[T,64]\n  return %a")[:40]}),

        # lmc exec: .npy inputs, symbols, row ids, params.
        exec_row("exec_npy_missing", None, r"^\S*x\.npy: error: "),
        exec_row("exec_npy_fifo", FIFO, r"^\S*x\.npy: error: not a regular file \(a FIFO\)"),
        exec_row("exec_npy_not_npy", b"PK\x03\x04 a zip file", r"^\S*x\.npy: error: is not a NumPy \.npy file"),
        exec_row("exec_npy_header_past_eof", b"\x93NUMPY\x01\x00\xff\xff{'descr'",
                 r"^\S*x\.npy: error: ends inside its header$"),
        exec_row("exec_npy_header_garbage", npy((3, 64), header="{'descr': [1, 2]}"),
                 r"^\S*x\.npy: error: bad \.npy header \(expected a string, True, False or a tuple\)"),
        exec_row("exec_npy_header_incomplete", npy((3, 64), header="{'descr': '<f4'}"),
                 r"^\S*x\.npy: error: its header has no 'fortran_order'$"),
        exec_row("exec_npy_version", npy((3, 64)).replace(b"NUMPY\x01", b"NUMPY\x09", 1),
                 r"^\S*x\.npy: error: is \.npy format version 9, not 1 to 3$"),
        exec_row("exec_npy_shape_overflows", npy((1 << 40, 1 << 40), data=b""),
                 r"^\S*x\.npy: error: its element count overflows int64$"),
        exec_row("exec_npy_data_short", npy((3, 64), data=b"\0" * 8),
                 r"^\S*x\.npy: error: has 8 bytes of data; its shape \(3, 64\) of '<f4' needs 768$"),
        exec_row("exec_npy_big_endian", npy((3, 64), descr=">f4"),
                 r"^\S*x\.npy: error: holds '>f4' values; lmc exec reads little-endian float16/32/64 and int32/64"),
        exec_row("exec_npy_wrong_shape", npy((4, 64)),
                 r"^\S*x\.npy: error: has shape \(4, 64\), but argument %x is f32\[T,64\], \(3, 64\) with"),
        exec_row("exec_npy_integers_for_floats", npy((3, 64), descr="<i4"),
                 r"^\S*x\.npy: error: holds integers, but argument %x is f32\[T,64\]$"),
        exec_row("exec_npy_int64_past_int32", npy((3, 64), descr="<i8", data=struct.pack("<q", 1 << 40) + b"\0" * (8 * 191)),
                 r"^\S*x\.npy: error: value 1099511627776 at index 0 does not fit int32$"),
        exec_row("exec_input_unknown_argument", npy((3, 64)),
                 r"^\S*x\.npy: error: is given for %y, but the graph's arguments are %x$",
                 args=("--dim", "T=3", "--input", "y={dir}/x.npy")),
        exec_row("exec_symbol_unbound", None, r"^\S*g\.lir: error: the graph's shapes use the symbol T: give its "
                 r"value, --dim T=N$", args=()),
        exec_row("exec_l_over_t", None, r"^\S*g\.lir: error: L = 3 is more than T = 2: L counts the last rows of T$",
                 lir("  %y = tail_rows %x : f32[L,64]\n  return %y"), args=("--dim", "T=2,L=3")),
        exec_row("exec_dim_syntax", None, r"^lmc exec: --dim expects SYM=N with SYM one of T, L, C; got 'T:3'",
                 args=("--dim", "T:3"), exit=USAGE),
        exec_row("exec_dim_too_large", None, r"^lmc exec: --dim T must be an integer from 1 to 1048576, got "
                 r"'99999999999999999999'", args=("--dim", "T=99999999999999999999"), exit=USAGE),
        exec_row("exec_input_syntax", None, r"^lmc exec: --input expects NAME=FILE\.npy",
                 args=("--dim", "T=3", "--input", "x.npy"), exit=USAGE),
        exec_row("exec_i32_argument", None, r"^\S*g\.lir: error: argument %ids is i32: ",
                 lir('  %e = param {name = "e"} : f32[10,64]\n  %y = embedding %e, %ids : f32[T,64]\n  return %y',
                     "%ids: i32[T]"), args=("--dim", "T=3")),
        exec_row("exec_transform_param_without_weights", None,
                 r'^\S*g\.lir:2: error: param "q8_0\(w\)" is a weight transform, whose parts random weights cannot know',
                 lir('  %w = param {name = "q8_0(w)"} : q8_0[32,64]\n  %y = linear %x, %w : f32[T,32]\n  return %y'),
                 args=("--dim", "T=3")),
        exec_row("exec_token_outside_the_table", npy((3,), descr="<i4", data=struct.pack("<3i", 1, 99, 2)),
                 r"^runtime: error: row 1: token id 99 is outside the embedding table of 10 rows$",
                 lir('  %e = param {name = "e"} : f32[10,64]\n  %y = embedding %e, %tokens : f32[T,64]\n  return %y',
                     "%tokens: i32[T]"), args=("--dim", "T=3", "--passes=none", "--input", "tokens={dir}/x.npy")),

        # Model definitions.
        Row("yaml_serves_unknown_format", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: serves: unknown weights format 'onnx' \(expected gguf or hf\)$",
            {"m.yaml": lambda: tiny_yaml({"name: tiny-llama": "name: tiny-llama\nserves: {onnx: llama}"})}),
        Row("yaml_syntax", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: ",
            {"m.yaml": lambda: tiny_yaml({"block:\n": "block:\n bad: [\n"})}),
        Row("yaml_unknown_chat_format", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: unknown chat format 'alpaca' \(known: chatml, llama3, gemma, ",
            {"m.yaml": lambda: tiny_yaml({"name: tiny-llama": "name: tiny-llama\nchat: alpaca"})}),
        Row("yaml_chat_turn_without_content", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: the chat turn of '\w+' must contain '\{content\}' once$",
            {"m.yaml": lambda: tiny_yaml({"name: tiny-llama": "name: tiny-llama\nchat: {turn: \"<{role}>\"}"})}),
        Row("yaml_scalar_expected", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: context must be a scalar",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: [64, 128]"})}),
        Row("yaml_list_expected", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: 'epilogue' must be a list of statements",
            {"m.yaml": lambda: tiny_yaml({EPILOGUE: "epilogue: 5\n"})}),
        Row("yaml_integer_expected", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+ \(attribute 'head_dim'\): error: expected an integer, got 25\.6",
            {"m.yaml": lambda: tiny_yaml({"n_heads: meta(\"llama.attention.head_count\")": "n_heads: 2.5"})}),
        Row("yaml_unknown_pass_option", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml: passes: unknown pass option 'quant-min-dimm' \(did you mean 'quant-min-dim'\?\)$",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: 64\npasses:\n  quant-min-dimm: 64"})}),
        Row("yaml_bad_pass_option_value", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml: passes: quant-mode: expects one of rule\|measured, got 'fast'$",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: 64\npasses:\n  quant-mode: fast"})}),
        Row("pipeline_option_typo", ["compile", "{dir}/m.yaml", "--passes=quant-threshold{min-dimm=3}", "-o",
                                     "{dir}/out.lmc"], ERROR,
            r"^--passes: column 17: pass 'quant-threshold' has no option 'min-dimm' \(did you mean 'min-dim'\?\)$",
            {"m.yaml": lambda: tiny_yaml()}),
        Row("cost_table_malformed", ["compile", "{dir}/m.yaml", "--quant-mode=measured", "--cost-table={dir}/t.txt",
                                     "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*t\.txt:2: error: expected '<type> <seconds>'",
            {"m.yaml": lambda: tiny_yaml(), "t.txt": lambda: b"f32[64,64] 1e-5\nq8_0[64,64]\n"}),
        Row("yaml_unknown_key", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: unknown key 'layers'",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: 64\nlayers: 3"})}),
        Row("yaml_non_scalar_key", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:1:3: error: a key must be a scalar",
            {"m.yaml": lambda: b"? [weights]\n: tiny.gguf\n"}),
        Row("yaml_duplicate_key", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:1: error: duplicate key 'context' \(first at \S*m\.yaml:\d+:1\)",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: 64\ncontext: 128"})}),
        Row("yaml_deep_nesting", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: YAML nested deeper than \d+ levels",
            {"m.yaml": lambda: b"name: " + b"[" * 5000 + b"\n"}),
        Row("yaml_long_expression_is_cut", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: in expression '1 \+ 1 \+ .{0,80}\.\.\. \(\d+ more bytes\)': .{0,120}$",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: " + "1 + " * 50000 + "?"})}),
        Row("yaml_negative_eps", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: .*op 'rms_norm'.*: eps must be a finite number >= 0, is -0\.000010",
            {"m.yaml": lambda: tiny_yaml({'eps: meta("llama.attention.layer_norm_rms_epsilon")': "eps: -0.00001"})}),
        Row("yaml_nan_parameter", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: in expression 'sqrt\(0 - 1\)': sqrt\(\) gives -?nan",
            {"m.yaml": lambda: tiny_yaml({'eps: meta("llama.attention.layer_norm_rms_epsilon")': "eps: sqrt(0 - 1)"})}),
        Row("yaml_kv_append_of_row_ids", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: kv_append takes rows of keys or values \(rank 2\), got i32\[T\]",
            {"m.yaml": lambda: tiny_yaml({"kc = kv_append(k)": "kc = kv_append(positions)"})}),
        Row("yaml_pos_is_not_an_input", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: value 'pos' is not defined \(inputs: tokens, positions, seq\)",
            {"m.yaml": lambda: tiny_yaml({"kc = kv_append(k)": "kc = kv_append(pos)"})}),
        Row("yaml_fifo", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml: error: not a regular file \(a FIFO\)", {"m.yaml": lambda: FIFO}),
        Row("yaml_tokenizer_fifo", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*tok\.json: error: not a regular file \(a FIFO\)",
            {"m.yaml": lambda: tiny_yaml({"tokenizer: gguf": "tokenizer: tok.json"}), "tok.json": lambda: FIFO}),
        Row("yaml_missing_weight", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: weight 'blk\.0\.attn_z\.weight': .*",
            {"m.yaml": lambda: tiny_yaml({"blk.{i}.attn_v.weight": "blk.{i}.attn_z.weight"})}),
        Row("yaml_missing_weights_file", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*nope\.gguf: error: ",
            {"m.yaml": lambda: tiny_yaml(weights="nope.gguf")}),
        Row("vocabulary_larger_than_embedding", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml: error: the tokenizer \(\S*m\.gguf\) has 300 tokens but the embedding table "
            r"'token_embd\.weight' has 200 rows$",
            {"m.gguf": lambda: tiny_gguf_variant(tensor_hook=short_embedding),
             "m.yaml": lambda: tiny_yaml(weights="m.gguf")}),
        Row("context_past_position_table", ["compile", "{dir}/m.yaml", "--context", "16", "-o", "{dir}/out.lmc"],
            ERROR, r"^\S*m\.yaml: error: the position table 'wpe\.weight' has 8 rows, fewer than the context of 16 "
                   r"\(lower it with --context\)$", setup=write_tiny_gpt2),
        Row("bpe_merge_not_in_vocabulary", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*tok\.json: error: merge 1 \('h', 'x'\) names a token that is not in the vocabulary$",
            {"m.yaml": lambda: tiny_yaml({"tokenizer: gguf": "tokenizer: tok.json"}),
             "tok.json": lambda: json.dumps({"pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False},
                                             "model": {"type": "BPE", "vocab": {"h": 0, "i": 1, "hi": 2, "x": 3},
                                                       "merges": ["h i", "h x"]}}).encode()}),
        Row("gguf_nan_epsilon", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.yaml:\d+:\d+: error: parameter 'eps' is nan "
            r"\(meta\(\"llama\.attention\.layer_norm_rms_epsilon\"\)\)$",
            {"m.gguf": lambda: tiny_gguf_variant(eps=float("nan")), "m.yaml": lambda: tiny_yaml(weights="m.gguf")}),
        Row("compile_fails_while_packing", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*q1_0_weight\.gguf:offset \d+: error: cannot dequantize tensor 'blk\.1\.ffn_down\.weight' of type q1_0",
            {"m.yaml": lambda: tiny_yaml(weights=os.path.join(SHARED, "q1_0_weight.gguf"))}),

        # Missing inputs.
        Row("missing_yaml", ["compile", "{dir}/nope.yaml"], ERROR, r"^\S*nope\.yaml: error: no such file"),
        Row("missing_artifact", ["run", "{dir}/nope.lmc", "--prompt", "hi"], ERROR,
            r"^\S*nope\.lmc: error: cannot open: No such file or directory"),
        Row("missing_ir", ["opt", "{dir}/nope.lir"], ERROR, r"^\S*nope\.lir: error: cannot open"),
        Row("missing_weights", ["inspect", "{dir}/nope.gguf"], ERROR, r"^\S*nope\.gguf: error: "),

        # Outputs that cannot be written leave nothing behind.
        Row("compile_output_parent_is_a_file", ["compile", "{tiny}/tiny.yaml", "-o", "{dir}/file/out.lmc"], ERROR,
            r"^\S*file/out\.lmc\S*: error: cannot (create|open|write)",
            {"file": lambda: b"not a directory"}),
        Row("compile_output_dir_missing", ["compile", "{tiny}/tiny.yaml", "-o", "{dir}/no/such/dir/out.lmc"], ERROR,
            r"^\S*out\.lmc\S*: error: cannot (create|open|write)"),
        Row("emit_ir_unwritable", ["compile", "{tiny}/tiny.yaml", "--emit-ir", "-o", "{dir}/file/out.lir"], ERROR,
            r"^\S*file/out\.lir\S*: error: cannot (create|open|write)",
            {"file": lambda: b"not a directory"}),
        Row("compile_output_is_a_directory", ["compile", "{tiny}/tiny.yaml", "-o", "{dir}/x.lmc"], ERROR,
            r"^\S*/x\.lmc: error: cannot write: it is a directory$", setup=lambda d: os.mkdir(f"{d}/x.lmc")),
        Row("compile_disk_full", ["compile", "{tiny}/tiny.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*/out\.lmc: error: cannot write: File too large$", file_size_limit=100_000),
        Row("emit_ir_disk_full", ["compile", "{tiny}/tiny.yaml", "--emit-ir", "-o", "{dir}/out.lir"], ERROR,
            r"^\S*/out\.lir: error: cannot write: File too large$", file_size_limit=1_000),
        Row("compile_output_is_the_weights", ["compile", "{dir}/m.yaml", "-o", "{dir}/m.gguf"], ERROR,
            r"^\S*/m\.gguf: error: refusing to write over the weights \(\S*m\.gguf\) that this command reads",
            {"m.gguf": tiny_gguf_bytes, "m.yaml": lambda: tiny_yaml(weights="m.gguf")}),
        Row("compile_output_is_the_model_definition", ["compile", "{dir}/m.yaml", "--emit-ir", "-o", "{dir}/m.yaml"],
            ERROR, r"^\S*/m\.yaml: error: refusing to write over the model definition \(\S*m\.yaml\)",
            {"m.yaml": tiny_yaml}),
        Row("compile_output_links_to_the_weights", ["compile", "{dir}/m.yaml", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*/out\.lmc: error: refusing to write over the weights \(\S*m\.gguf\)",
            {"m.gguf": tiny_gguf_bytes, "m.yaml": lambda: tiny_yaml(weights="m.gguf")},
            setup=lambda d: os.symlink("m.gguf", f"{d}/out.lmc")),
        Row("opt_output_unwritable", ["opt", "{dir}/g.lir", "-o", "{dir}/file/out.lir"], ERROR,
            r"^\S*file/out\.lir\S*: error: cannot (create|open|write)",
            {"file": lambda: b"not a directory", "g.lir": lambda: lir("  return %x")}),

        # Artifacts: another format version, another lmc, another CPU, truncated, corrupt.
        Row("artifact_other_format_version", ["run", "{dir}/m.lmc", "--prompt", "hi"], ERROR,
            r"^\S*m\.lmc: error: artifact format version 7 is not the one this lmc reads \(3\): compile the model again",
            {"m.lmc": lambda: with_format_version(tiny_artifact(), 7)}),
        Row("artifact_other_lmc_version", ["run", "{dir}/m.lmc", "--prompt", "hi", "--max-tokens", "2"], 0,
            r"^warning: \S*m\.lmc: recompiling kernels for this machine: it was built by lmc 0\.0\.0, this is lmc ",
            {"m.lmc": lambda: reseal(tiny_artifact(), "manifest", manifest_line("lmc.version", lambda v: "0.0.0"))}),
        Row("artifact_truncated", ["run", "{dir}/m.lmc", "--prompt", "hi"], ERROR,
            r"^\S*m\.lmc: error: ",
            {"m.lmc": lambda: tiny_artifact()[:len(tiny_artifact()) // 2]}),
        Row("artifact_corrupt_section", ["run", "{dir}/m.lmc", "--prompt", "hi"], ERROR,
            r"^\S*m\.lmc: error: section 'ir' is corrupt \(digest [0-9a-f]{16}, recorded [0-9a-f]{16}\)",
            {"m.lmc": lambda: corrupt_section(tiny_artifact(), "ir")}),
        Row("artifact_ir_cycle", ["run", "{dir}/m.lmc", "--prompt", "hi"], ERROR,
            r"^\S*m\.lmc:ir:6: error: op 'fusion' defining %qkv_0 \(line 6\) is on a dependency cycle",
            {"m.lmc": lambda: reseal(tiny_artifact(), "ir", lambda ir: ir.replace(
                "%qkv_0 = fusion %x, ", "%qkv_0 = fusion %x_0, ").replace(
                "{eps = 9.999999747378752e-06}", "{eps = 9.9999997473787e-06}", 1))}),
        Row("artifact_param_not_in_weight_index", ["run", "{dir}/m.lmc", "--prompt", "hi"], ERROR,
            r"^\S*m\.lmc:ir:2: error: param 'blk\.0\.attn_norm\.weight' is q8_0\[300,64\] but the weight index "
            r"has f32\[64\]",
            {"m.lmc": lambda: reseal(tiny_artifact(), "ir", lambda ir: ir.replace(
                'param {name = "q8_0(token_embd.weight)"}', 'param {name = "blk.0.attn_norm.weight"}'))}),
        Row("artifact_fifo", ["run", "{dir}/m.lmc", "--prompt", "hi"], ERROR,
            r"^\S*m\.lmc: error: not a regular file \(a FIFO\)", {"m.lmc": lambda: FIFO}),
        Row("artifact_not_an_artifact", ["run", "{dir}/m.lmc", "--prompt", "hi"], ERROR,
            r"^\S*m\.lmc: error: not an lmc artifact \(bad magic\)",
            {"m.lmc": lambda: tiny_gguf_bytes()[:4096]}),
        Row("artifact_is_a_directory", ["run", "{dir}/m.lmc", "--prompt", "hi"], ERROR,
            r"^\S*m\.lmc: error: not a regular file \(a directory\)$", setup=lambda d: os.mkdir(f"{d}/m.lmc")),

        # Artifacts are executables: object code runs only from one sealed with a trusted key.
        Row("artifact_int3_kernels_digests_recomputed", ["run", "{dir}/m.lmc", "--prompt", "hi", "--max-tokens", "2"],
            0, r"^warning: \S*m\.lmc: recompiling kernels for this machine: it is not sealed with your artifact key",
            {"m.lmc": lambda: trapping_kernels(tiny_artifact(), None)}),
        Row("artifact_int3_kernels_verify", ["verify", "{dir}/m.lmc"], ERROR,
            r"^\S*m\.lmc: error: verification failed: seal \(not sealed with your artifact key or a trusted one\)$",
            {"m.lmc": lambda: trapping_kernels(tiny_artifact(), None)}),
        Row("artifact_sealed_elsewhere", ["run", "{dir}/m.lmc", "--prompt", "hi", "--max-tokens", "2"], 0,
            r"^warning: \S*m\.lmc: recompiling kernels for this machine: it is not sealed with your artifact key",
            {"m.lmc": lambda: seal(tiny_artifact(), read_key(OTHER_KEY))}),
        Row("artifact_sealed_with_a_trusted_key", ["run", "{dir}/m.lmc", "--prompt", "hi", "--max-tokens", "2",
                                                   "--trust-artifact-key", "{tiny}/other.key"], 0,
            r"^lmc: tiny-llama: weights", {"m.lmc": lambda: seal(tiny_artifact(), read_key(OTHER_KEY))},
            absent=r"recompiling"),
        Row("artifact_trusted_key_readable_by_others", ["run", "{tiny}/tiny.lmc", "--prompt", "hi",
                                                        "--trust-artifact-key", "{dir}/k"], ERROR,
            r"^\S*/k: error: the artifact key must be yours and private \(it is mode 0644\)",
            {"k": lambda: b"00" * 32 + b"\n"}, setup=lambda d: os.chmod(f"{d}/k", 0o644)),
        Row("artifact_trust_flag_on_a_yaml", ["run", "{tiny}/tiny.yaml", "--prompt", "hi", "--no-verify-weights"],
            USAGE, r"^lmc run: --no-verify-weights applies to an artifact \(\.lmc\), not to \S*tiny\.yaml"),
        Row("artifact_kernel_table_lies", ["run", "{dir}/m.lmc", "--prompt", "hi"], ERROR,
            r"^\S*m\.lmc:manifest: error: the kernel table says symbol fused_rms_norm_linear_\w+, 99999999 work items"
            r"( \(its rows from \d+ rows\))?, grain \d+ for fusion\(.*; the IR gives symbol fused_rms_norm_linear_\w+, "
            r"\d+ work items",
            {"m.lmc": lambda: lying_work_items(read_key(USER_KEY))}),
        Row("artifact_kernel_table_lies_verify", ["verify", "{dir}/m.lmc"], ERROR,
            r"^\S*m\.lmc: error: verification failed: kernel table \(\S*m\.lmc:manifest: error: the kernel table says",
            {"m.lmc": lambda: lying_work_items(read_key(USER_KEY))}),
        Row("artifact_kernel_table_lies_unsealed", ["run", "{dir}/m.lmc", "--prompt", "hi", "--max-tokens", "2"], 0,
            r"^warning: \S*m\.lmc: recompiling kernels for this machine: it is not sealed with your artifact key",
            {"m.lmc": lambda: lying_work_items(None)}),
        Row("artifact_weight_byte_flipped", ["run", "{dir}/m.lmc", "--prompt", "hi"], ERROR,
            r"^\S*m\.lmc:weights: error: tensor '[^']+' is corrupt \(digest [0-9a-f]{16}, recorded [0-9a-f]{16}\)$",
            {"m.lmc": lambda: flipped_weight_byte(tiny_artifact())}),
        Row("artifact_weight_byte_flipped_verify", ["verify", "{dir}/m.lmc"], ERROR,
            r"^\S*m\.lmc: error: verification failed: weights \(\S*m\.lmc:weights: error: tensor '[^']+' is corrupt",
            {"m.lmc": lambda: flipped_weight_byte(tiny_artifact())}),
        Row("artifact_weight_byte_flipped_not_verified", ["run", "{dir}/m.lmc", "--prompt", "hi", "--max-tokens", "2",
                                                          "--no-verify-weights"], 0,
            r"^lmc: tiny-llama: weights", {"m.lmc": lambda: flipped_weight_byte(tiny_artifact())}),

        # lmc inspect: artifacts by their magic, and no terminal control from a file's strings.
        Row("inspect_artifact_by_magic", ["inspect", "{dir}/model.bin"], 0, None,
            {"model.bin": tiny_artifact}, stdout=r"format: lmc artifact.*\n(.*\n)*  model=tiny-llama\n"),
        Row("inspect_artifact_manifest_escapes", ["inspect", "{dir}/m.lmc"], 0, None,
            {"m.lmc": lambda: reseal(tiny_artifact(), "manifest", manifest_line_same_size(
                "info.name", lambda v: "\x1b]0;owned\x07\x1b[2J"))},
            stdout=r"info\.name=\\e\]0;owned\\x07\\e\[2J\n"),
        Row("inspect_gguf_metadata_escapes", ["inspect", "{dir}/m.gguf"], 0, None,
            {"m.gguf": lambda: gguf(kv=gguf_string_kv("general.name", "x\x1b]0;owned\x07\u009b31m"), n_kv=1)},
            stdout=r"general\.name +x\\e\]0;owned\\x07\\u009b31m\n"),

        # Flags: usage errors exit 2 with one line.
        Row("threads_zero", ["run", "{tiny}/tiny.lmc", "--prompt", "hi", "--threads", "0"], USAGE,
            r"^lmc run: option '--threads' must be between 1 and \d+, got 0 \(see lmc run --help\)$"),
        Row("max_tokens_negative", ["run", "{tiny}/tiny.lmc", "--prompt", "hi", "--max-tokens=-3"], USAGE,
            r"^lmc run: option '--max-tokens' must be between -1 and \d+, got -3"),
        Row("max_tokens_not_a_number", ["run", "{tiny}/tiny.lmc", "--prompt", "hi", "--max-tokens", "lots"], USAGE,
            r"^lmc run: option '--max-tokens' expects an integer, got 'lots'"),
        Row("empty_prompt", ["run", "{tiny}/tiny.lmc", "--prompt", ""], USAGE, r"^lmc run: the prompt is empty"),
        Row("empty_prompt_on_stdin", ["run", "{tiny}/tiny.lmc"], USAGE, r"^lmc run: the prompt is empty", stdin="\n"),
        Row("unknown_flag", ["run", "{tiny}/tiny.lmc", "--prompt", "hi", "--temprature", "1"], USAGE,
            r"^lmc run: unknown option '--temprature'"),
        Row("missing_flag_value", ["run", "{tiny}/tiny.lmc", "--prompt"], USAGE,
            r"^lmc run: option '--prompt' needs a value"),
        Row("ctx_size_zero", ["run", "{tiny}/tiny.lmc", "--prompt", "hi", "-c", "0"], USAGE,
            r"^lmc run: option '--ctx-size' must be between 1 and \d+, got 0"),
        Row("prompt_file_missing", ["run", "{tiny}/tiny.lmc", "-f", "{dir}/absent.txt"], ERROR,
            r"^\S*absent\.txt: error: cannot read the prompt$"),
        Row("prompt_and_file", ["run", "{tiny}/tiny.lmc", "-p", "hi", "-f", "{dir}/absent.txt"], USAGE,
            r"^lmc run: give the prompt with --prompt or --file, not both"),
        Row("parallel_without_prompts", ["run", "{tiny}/tiny.lmc", "-p", "hi", "--parallel", "2"], USAGE,
            r"^lmc run: --parallel applies to --prompts \(see lmc run --help\)$"),
        Row("prompts_and_prompt", ["run", "{tiny}/tiny.lmc", "-p", "hi", "--prompts", "{dir}/p.txt"], USAGE,
            r"^lmc run: give the prompts with --prompts, or one with --prompt or --file \(see",
            {"p.txt": lambda: b"hi\n"}),
        Row("prompts_file_missing", ["run", "{tiny}/tiny.lmc", "--prompts", "{dir}/absent.txt"], ERROR,
            r"^\S*absent\.txt: error: cannot read the prompts$"),
        Row("prompts_file_blank", ["run", "{tiny}/tiny.lmc", "--prompts", "{dir}/p.txt"], ERROR,
            r"^\S*p\.txt: error: no prompts \(one per line\)$", {"p.txt": lambda: b"\n\r\n\n"}),
        Row("parallel_past_a_step", ["run", "{tiny}/tiny.lmc", "--prompts", "{dir}/p.txt", "--parallel", "17"], USAGE,
            r"^lmc run: --parallel 17 is more than the 16 rows a step of tiny-llama holds \(see", {"p.txt": lambda: b"hi\n"}),
        Row("serve_parallel_zero", ["serve", "{tiny}/tiny.lmc", "--parallel", "0"], USAGE,
            r"^lmc serve: option '--parallel' must be between 1 and 256, got 0"),
        Row("serve_header_timeout_zero", ["serve", "{tiny}/tiny.lmc", "--header-timeout", "0"], USAGE,
            r"^lmc serve: option '--header-timeout' must be between 1 and 3600, got 0"),
        Row("serve_host_not_an_address", ["serve", "{tiny}/tiny.lmc", "--host", "nowhere.invalid", "--port", "0"],
            ERROR, r"^nowhere\.invalid:0: error: cannot listen there \(not an IP address: give one, such as"),
        Row("draft_past_eight_rows", ["run", "{tiny}/tiny.lmc", "-p", "hi", "--draft-max", "8"], USAGE,
            r"^lmc run: option '--draft-max' must be between 0 and 7, got 8"),
        Row("draft_with_prompts", ["run", "{tiny}/tiny.lmc", "--prompts", "{dir}/p.txt", "--draft-max", "2"], USAGE,
            r"^lmc run: --draft-max applies to one prompt, not to --prompts", {"p.txt": lambda: b"hi\n"}),
        Row("draft_model_without_draft_max", ["run", "{tiny}/tiny.lmc", "-p", "hi", "--draft-model", "{tiny}/tiny.lmc"],
            USAGE, r"^lmc run: --draft-model needs --draft-max N, the tokens it guesses a step"),
        Row("draft_model_with_prompts", ["run", "{tiny}/tiny.lmc", "--prompts", "{dir}/p.txt", "--draft-model",
                                         "{tiny}/tiny.lmc"], USAGE, r"^lmc run: --draft-model applies to one prompt",
            {"p.txt": lambda: b"hi\n"}),
        Row("bench_unknown_format", ["bench", "{tiny}/tiny.lmc", "-o", "xml"], USAGE,
            r"^lmc bench: -o must be table, md, csv, json or jsonl, not 'xml'"),
        Row("bench_parallel_not_a_list", ["bench", "{tiny}/tiny.lmc", "--parallel", "1,x"], USAGE,
            r"^lmc bench: --parallel expects positive integers separated by commas"),
        Row("perplexity_text_shorter_than_two_chunks", ["perplexity", "{tiny}/tiny.lmc", "-f", "{dir}/t.txt", "-c", "8"],
            ERROR, r"^\S*t\.txt: error: the text is \d+ tokens; it needs at least 16 \(two chunks of 8\)$",
            {"t.txt": lambda: b"hi"}),
        Row("perplexity_text_missing", ["perplexity", "{tiny}/tiny.lmc", "-f", "{dir}/absent.txt"], ERROR,
            r"^\S*absent\.txt: error: cannot read the text$"),
        Row("perplexity_other_pipeline_for_an_artifact", ["perplexity", "{tiny}/tiny.lmc", "-f", "{dir}/t.txt",
                                                          "--kl-base=none"], USAGE,
            r"^lmc perplexity: --kl-base compiles the base with another pipeline, but \S*tiny\.lmc is compiled already",
            {"t.txt": lambda: b"hi"}),
        Row("perplexity_without_a_text", ["perplexity", "{tiny}/tiny.lmc"], USAGE,
            r"^lmc perplexity: give the text to score with -f FILE \(see"),
        Row("model_twice", ["run", "{tiny}/tiny.lmc", "-m", "{tiny}/tiny.lmc", "-p", "hi"], USAGE,
            r"^lmc run: lmc run expects one artifact, model definition, \.gguf or Hugging Face folder"),
        Row("chat_without_a_chat_format", ["chat", "{tiny}/tiny.lmc"], ERROR,
            r"^\S*tiny\.lmc: error: the model has no chat format", stdin="hi\n"),
        Row("unknown_command", ["fly", "{tiny}/tiny.lmc"], USAGE, r"^lmc: unknown command 'fly'"),
        Row("compile_flag_on_an_artifact", ["run", "{tiny}/tiny.lmc", "--prompt", "hi", "--context", "16"], USAGE,
            r"^lmc run: --context applies to a model definition \(\.yaml\) or weights \(\.gguf, a Hugging Face "
            r"folder\), not to the compiled \S*tiny\.lmc"),
        Row("compile_two_models", ["compile", "{tiny}/tiny.yaml", "{tiny}/tiny.yaml"], USAGE,
            r"^lmc compile: lmc compile expects one model definition"),

        # Weights given directly: their architecture picks the model definition (serves:).
        Row("gguf_unknown_architecture", ["run", "{dir}/m.gguf", "--prompt", "hi"], ERROR,
            r"^\S*m\.gguf: error: no model definition serves gguf architecture 'mamba' \(general\.architecture\); "
            r"known: gemma2, gemma3, llama, llama\+experts, olmoe, phi3, qwen2, qwen2moe, qwen3, qwen3moe in \S+; add a definition with serves: \{gguf: mamba\} "
            r"\(docs/model-definitions\.md, \"Adding an architecture\"\) or pass --model-def FILE\.yaml$",
            {"m.gguf": lambda: gguf(kv=gguf_string_kv("general.architecture", "mamba"), n_kv=1)}),
        Row("gguf_unknown_architecture_compile", ["compile", "{dir}/m.gguf", "-o", "{dir}/out.lmc"], ERROR,
            r"^\S*m\.gguf: error: no model definition serves gguf architecture 'mamba'",
            {"m.gguf": lambda: gguf(kv=gguf_string_kv("general.architecture", "mamba"), n_kv=1)}),
        # Mixtral's GGUFs say llama, with experts: llama.yaml refuses them by name.
        # A llama GGUF with experts is Mixtral's (mixtral.yaml); llama.yaml named for it refuses.
        Row("gguf_llama_with_experts", ["run", "{dir}/m.gguf", "--model-def", "{root}/models/llama.yaml",
                                        "--prompt", "hi"], ERROR,
            r"^\S*models/llama\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*m\.gguf: "
            r"mixture of experts \(llama\.expert_count\) is not implemented by llama\.yaml$",
            {"m.gguf": lambda: gguf(kv=gguf_string_kv("general.architecture", "llama")
                                    + gguf_u32_kv("llama.expert_count", 8), n_kv=2)}),
        # Given alone it is Mixtral's, whose definition needs the file's hyperparameters.
        Row("gguf_mixtral_without_hyperparameters", ["run", "{dir}/m.gguf", "--prompt", "hi"], ERROR,
            r"^\S*models/mixtral\.yaml:\d+:\d+: error: in expression 'meta\(.*\)': the weights file \S*m\.gguf has no "
            r"metadata 'llama\.embedding_length'$",
            {"m.gguf": lambda: gguf(kv=gguf_string_kv("general.architecture", "llama")
                                    + gguf_u32_kv("llama.expert_count", 8), n_kv=2)}),
        Row("gguf_no_architecture", ["run", "{dir}/m.gguf", "--prompt", "hi"], ERROR,
            r"^\S*m\.gguf: error: no general\.architecture metadata to choose a model definition by; "
            r"pass --model-def FILE\.yaml$", {"m.gguf": lambda: gguf()}),
        Row("hf_folder_without_model_type", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*hf/config\.json: error: no 'model_type' to choose a model definition by; "
            r"pass --model-def FILE\.yaml$",
            setup=lambda d: write_folder(d, {"config.json": b'{"n_embd": 16}'})),
        Row("hf_folder_without_config", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*hf: error: no config\.json: a Hugging Face model folder holds config\.json, \*\.safetensors and "
            r"tokenizer\.json$", setup=lambda d: write_folder(d, {"tokenizer.json": b"{}"})),
        # What a definition states it does not implement stops compile with its message.
        Row("hf_rope_scaling_not_implemented", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*models/qwen2-hf\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*hf: "
            r"rope_scaling type 'dynamic' is not implemented by qwen2-hf\.yaml$",
            setup=lambda d: write_tiny_family(d, "qwen2", rope_scaling={"type": "dynamic", "factor": 4.0})),
        Row("hf_phi3_rope_scaling_not_implemented", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*models/phi3-hf\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*hf: "
            r"rope_scaling type 'dynamic' is not implemented by phi3-hf\.yaml$",
            setup=lambda d: write_tiny_family(d, "phi3", rope_scaling={"type": "dynamic", "factor": 2.0})),
        # Gemma 3 takes linear scaling (4B and larger) on its global layers, nothing else.
        Row("hf_gemma3_rope_scaling_not_implemented", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*models/gemma3-1b\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*hf: "
            r"rope_scaling type 'yarn' is not implemented by gemma3-1b\.yaml$",
            setup=lambda d: write_tiny_family(d, "gemma3-1b", rope_scaling={"rope_type": "yarn", "factor": 8.0})),
        # A Qwen3-MoE whose listed layers are dense (mlp_only_layers): qwen3moe-hf.yaml puts
        # experts in every layer, so it stops rather than read experts that are not there.
        Row("hf_qwen3moe_dense_layers_not_implemented", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*models/qwen3moe-hf\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*hf: "
            r"dense layers among the experts' \(decoder_sparse_step, mlp_only_layers\) are not implemented by "
            r"qwen3moe-hf\.yaml$",
            setup=lambda d: write_tiny_family(d, "qwen3moe", moe_intermediate_size=32, num_experts=4,
                                              num_experts_per_tok=2, mlp_only_layers=[0])),
        # Gemma 2's soft-caps: a null one is none in transformers, a missing one its default,
        # which changed between versions; gemma2-hf.yaml takes neither.
        Row("hf_gemma2_null_softcap", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*models/gemma2-hf\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*hf: "
            r"attn_logit_softcapping must be set \(not null\) in config\.json for gemma2-hf\.yaml$",
            setup=lambda d: write_tiny_family(d, "gemma2-2b", attn_logit_softcapping=None)),
        # layer_types is read one layer at a time: a kind of layer it does not know stops it.
        Row("hf_gemma2_layer_type_unknown", ["run", "{dir}/hf", "--prompt", "hi"], ERROR,
            r"^\S*models/gemma2-hf\.yaml:\d+:\d+: error: in expression 'require\(.*\)': unsupported by \S*hf: "
            r"layer_types entries other than sliding_attention and full_attention are not implemented by "
            r"gemma2-hf\.yaml$",
            setup=lambda d: write_tiny_family(d, "gemma2-2b", layer_types=["chunked_attention"])),
        # A config's null is an unset option: Mistral v0.2's "sliding_window": null attends to the whole past.
        Row("hf_null_option_is_unset", ["run", "{dir}/hf", "--prompt", "hi", "--max-tokens", "2"], 0,
            r"^lmc: hf: weights ", setup=lambda d: write_tiny_family(d, "mistral", sliding_window=None)),
        Row("weights_flag_on_weights", ["run", "{dir}/m.gguf", "--prompt", "hi", "--weights", "{dir}/m.gguf"], USAGE,
            r"^lmc run: --weights applies to a model definition \(\.yaml\); \S*m\.gguf is the weights",
            {"m.gguf": tiny_gguf_bytes}),
        Row("model_def_flag_on_a_yaml", ["run", "{tiny}/tiny.yaml", "--prompt", "hi",
                                          "--model-def", "{tiny}/tiny.yaml"], USAGE,
            r"^lmc run: --model-def applies to a \.gguf or a Hugging Face folder, not to \S*tiny\.yaml"),

        # The context and memory.
        Row("prompt_longer_than_context", ["run", "{tiny}/tiny.yaml", "--context", "16", "--prompt", LONG_PROMPT],
            ERROR, r"^\S*tiny\.yaml: error: the prompt is \d+ tokens, more than the context of 16"),
        Row("model_does_not_fit_in_memory", ["run", "{dir}/m.yaml", "--prompt", "hi"], ERROR,
            r"^\S*m\.yaml: error: needs 256\.0 TB of memory \(weights [\d.]+ kB, arena [\d.]+ kB, KV cache 256\.0 TB "
            r"at context 1000000000000\), [\d.]+ [kMGT]B available",
            {"m.yaml": lambda: tiny_yaml({"context: 64": "context: 1000000000000"})}),
    ]
    feature = missing_cpu_feature()
    if feature:
        t.append(Row("artifact_for_missing_cpu_feature", ["run", "{dir}/m.lmc", "--prompt", "hi", "--max-tokens", "2"],
                     # LLVM may name features the missing one implies first (xop: fma4 xop).
                     0, rf"^warning: \S*m\.lmc: recompiling kernels for this machine: this CPU lacks .*\b{feature}\b",
                     {"m.lmc": lambda: reseal(tiny_artifact(), "manifest", with_feature(f",+{feature}"))}))
    return t


def split_wrapping_sizes():
    """A split of 64 columns into sixteen of 2^60 and one of 64: the sizes' int64 sum wraps
    to exactly 64, and each result type alone is within the parser's 2^62-byte bound."""
    sizes = [1 << 60] * 16 + [64]
    names = ", ".join(f"%r{i}" for i in range(len(sizes)))
    types = ", ".join(f"f32[T,{n}]" for n in sizes)
    return (f"  {names} = split %x {{axis = 1, sizes = [{', '.join(map(str, sizes))}]}} : {types}\n"
            "  return %r16")


def corrupt_section(blob, name):
    _, entries = artifact_sections(blob)
    _, offset, _, _, _ = next(e for e in entries if e[0] == name)
    return blob[:offset] + bytes([blob[offset] ^ 1]) + blob[offset + 1:]


# ---------------------------------------------------------------- running

def check(row, lmc, work):
    d = os.path.join(work, row.name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for name, make in row.files.items():
        content = make()
        if content is FIFO:
            os.mkfifo(os.path.join(d, name))
            continue
        with open(os.path.join(d, name), "wb") as f:
            f.write(content)
    args = [a.replace("{dir}", d).replace("{tiny}", SHARED).replace("{root}", ROOT) for a in row.args]
    if row.setup:
        row.setup(d)
    before = set(os.listdir(d))
    p = subprocess.run([lmc] + args, input=row.stdin if row.stdin is not None else "", capture_output=True,
                       text=True, errors="replace", timeout=300, preexec_fn=limits(row))
    problems = []
    if p.returncode < 0:
        problems.append(f"killed by signal {-p.returncode}")
    elif p.returncode != row.exit:
        problems.append(f"exit code {p.returncode}, expected {row.exit}")
    if CRASH_SIGNS.search(p.stdout + p.stderr):
        problems.append("output looks like a crash report")
    if "\x1b" in p.stdout + p.stderr:
        problems.append("printed a terminal escape sequence from the input")
    lines = [l for l in p.stderr.splitlines() if l.strip()]
    if row.exit != 0:
        if len(lines) != 1:
            problems.append(f"{len(lines)} lines on stderr, expected exactly one")
        elif not re.search(row.stderr, lines[0]):
            problems.append(f"stderr line does not match /{row.stderr}/")
        if p.stdout:
            problems.append("an error run printed to stdout")
    elif row.stderr is not None and not any(re.search(row.stderr, l) for l in lines):
        problems.append(f"no stderr line matches /{row.stderr}/")
    if row.absent and any(re.search(row.absent, l) for l in lines):
        problems.append(f"a stderr line matches /{row.absent}/")
    if row.stdout is not None:
        if not re.search(row.stdout, p.stdout):
            problems.append(f"stdout does not match /{row.stdout}/")
        if re.search(r"[\x00-\x09\x0b-\x1f\x7f\x80-\x9f]", p.stdout):
            problems.append("stdout holds a control character")
    left = sorted(set(os.listdir(d)) - before)
    if left:
        problems.append(f"left behind: {left}")
    if problems:
        return f"FAIL {row.name}: {'; '.join(problems)}\n  $ lmc {' '.join(args)}\n" + \
               "".join(f"  stderr| {l}\n" for l in p.stderr.splitlines()[:20]) + \
               "".join(f"  stdout| {l}\n" for l in p.stdout.splitlines()[:5])
    shutil.rmtree(d)
    return None


def limits(row):
    """What the lmc process runs under: a file size limit makes writes fail as on a full disk
    (EFBIG rather than ENOSPC; the same path through the code)."""
    if row.file_size_limit is None:
        return None

    def apply():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (row.file_size_limit, row.file_size_limit))
    return apply


def make_shared(lmc):
    """The tiny model every row shares: tiny.gguf, tiny.yaml, tiny.lmc (sealed with user.key,
    which lmc creates), q1_0_weight.gguf, and other.key, someone else's artifact key."""
    make_tiny_model.main(SHARED, micro=False)
    with open(os.open(OTHER_KEY, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
        f.write(os.urandom(32).hex() + "\n")
    subprocess.run([lmc, "compile", os.path.join(SHARED, "tiny.yaml"), "-o", os.path.join(SHARED, "tiny.lmc")],
                   check=True, capture_output=True)
    write_q1_0_weight_gguf(os.path.join(SHARED, "q1_0_weight.gguf"))


def main():
    global SHARED
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("-k", default="", help="run only rows whose name contains this")
    a = ap.parse_args()
    lmc = os.path.abspath(a.lmc)
    os.makedirs(a.work, exist_ok=True)
    global USER_KEY, OTHER_KEY
    SHARED = os.path.join(os.path.abspath(a.work), "shared")
    USER_KEY, OTHER_KEY = os.path.join(SHARED, "user.key"), os.path.join(SHARED, "other.key")
    os.environ["LMC_KEY_FILE"] = USER_KEY
    make_shared(lmc)
    failures, ran = [], 0
    for row in rows():
        if a.k not in row.name:
            continue
        ran += 1
        result = check(row, lmc, os.path.abspath(a.work))
        print(result or f"ok   {row.name}", flush=True)
        if result:
            failures.append(row.name)
    print(f"{ran - len(failures)}/{ran} rows passed" + (f"; failed: {', '.join(failures)}" if failures else ""))
    return 1 if failures or ran == 0 else 0


SHARED = ""
USER_KEY = ""
OTHER_KEY = ""

if __name__ == "__main__":
    sys.exit(main())
