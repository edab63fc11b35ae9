"""Bad-input rows (test_bad_inputs.py) of artifacts: another format version, another lmc,
another CPU, truncated, corrupt; object code that runs only from one sealed with a trusted
key; lmc inspect's reading of them. With the tools that take an artifact apart and seal it
again with a key (the user's, someone else's).
"""
import hashlib
import hmac
import os
import re
import struct

import xxhash

import bad_input_kit as kit
from bad_input_kit import ERROR, FIFO, USAGE, gguf, gguf_string_kv, Row, tiny_gguf_bytes


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
    return replace_section(blob, section, new, read_key(kit.USER_KEY) if key == "user" else key)


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
    with open(os.path.join(kit.SHARED, "tiny.lmc"), "rb") as f:
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



def corrupt_section(blob, name):
    _, entries = artifact_sections(blob)
    _, offset, _, _, _ = next(e for e in entries if e[0] == name)
    return blob[:offset] + bytes([blob[offset] ^ 1]) + blob[offset + 1:]


def rows():
    t = [
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
            r"^\S*m\.lmc: error: a GGUF file, not an lmc artifact \(bad magic\): name it \.gguf",
            {"m.lmc": lambda: tiny_gguf_bytes()[:4096]}),
        # Neither, under a name that says nothing: the error names both formats lmc reads.
        Row("model_neither_gguf_nor_artifact", ["run", "{dir}/m.bin", "--prompt", "hi"], ERROR,
            r"^\S*m\.bin: error: neither a GGUF file nor an lmc artifact \(bad magic\)",
            {"m.bin": lambda: b"PK\x03\x04" + bytes(4092)}),
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
            {"m.lmc": lambda: seal(tiny_artifact(), read_key(kit.OTHER_KEY))}),
        Row("artifact_sealed_with_a_trusted_key", ["run", "{dir}/m.lmc", "--prompt", "hi", "--max-tokens", "2",
                                                   "--trust-artifact-key", "{tiny}/other.key"], 0,
            r"^lmc: tiny-llama: weights", {"m.lmc": lambda: seal(tiny_artifact(), read_key(kit.OTHER_KEY))},
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
            {"m.lmc": lambda: lying_work_items(read_key(kit.USER_KEY))}),
        Row("artifact_kernel_table_lies_verify", ["verify", "{dir}/m.lmc"], ERROR,
            r"^\S*m\.lmc: error: verification failed: kernel table \(\S*m\.lmc:manifest: error: the kernel table says",
            {"m.lmc": lambda: lying_work_items(read_key(kit.USER_KEY))}),
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

    ]
    feature = missing_cpu_feature()
    if feature:
        t.append(Row("artifact_for_missing_cpu_feature", ["run", "{dir}/m.lmc", "--prompt", "hi", "--max-tokens", "2"],
                     # LLVM may name features the missing one implies first (xop: fma4 xop).
                     0, rf"^warning: \S*m\.lmc: recompiling kernels for this machine: this CPU lacks .*\b{feature}\b",
                     {"m.lmc": lambda: reseal(tiny_artifact(), "manifest", with_feature(f",+{feature}"))}))
    return t
