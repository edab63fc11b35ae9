#!/usr/bin/env python3
"""Reference data for lmc's GGUF reader and dequantizers, produced by the gguf Python
package (gguf-py, the reader maintained with llama.cpp).

  dequant_reference.py file <model.gguf> <outdir>
      tensors.txt    one line per tensor: name type_id offset nbytes dims (outermost first)
      metadata.json  every key: {"type": ..., "value": ...} ("elem" too for arrays)
      dequant.txt    per ggml type in the file: type_id tensor_name count file
      <type>.f32     gguf.quants.dequantize of the smallest tensor of that type (its first
                     65536 values if it has more than 2M), little-endian float32

  dequant_reference.py synthetic <outdir>
      synthetic.txt  per supported type: type_id count raw_file f32_file
      <type>.raw     random blocks whose f16 scales are finite, so every value is finite
      <type>.f32     their dequantization by gguf.quants.dequantize
"""
import json
import os
import sys

import numpy as np
import gguf
from gguf import GGMLQuantizationType as Q
from gguf.constants import GGML_QUANT_SIZES

WHOLE_TENSOR_LIMIT = 2 * 1024 * 1024
PREFIX_VALUES = 65536
SYNTHETIC_BLOCKS = 64
SYNTHETIC_PLAIN_VALUES = 4096

# Byte offsets of the f16 scale fields inside one block of each type.
F16_FIELDS = {
    Q.Q4_0: [0], Q.Q4_1: [0, 2], Q.Q5_0: [0], Q.Q5_1: [0, 2], Q.Q8_0: [0],
    Q.Q4_K: [0, 2], Q.Q5_K: [0, 2], Q.Q6_K: [208],
}


def field_json(field):
    kind = gguf.GGUFValueType(field.types[0])
    entry = {"type": kind.name}
    if kind == gguf.GGUFValueType.ARRAY:
        entry["elem"] = gguf.GGUFValueType(field.types[-1]).name
    entry["value"] = field.contents()
    return entry


def dump_file(path, outdir):
    reader = gguf.GGUFReader(path)
    with open(os.path.join(outdir, "tensors.txt"), "w") as out:
        for t in reader.tensors:
            dims = " ".join(str(int(d)) for d in reversed(t.shape.tolist()))
            out.write(f"{t.name} {int(t.tensor_type)} {t.data_offset} {t.n_bytes} {dims}\n")

    metadata = {k: field_json(f) for k, f in reader.fields.items() if not k.startswith("GGUF.")}
    with open(os.path.join(outdir, "metadata.json"), "w") as out:
        json.dump(metadata, out, allow_nan=False)

    smallest = {}
    for t in reader.tensors:
        if t.tensor_type not in smallest or t.n_elements < smallest[t.tensor_type].n_elements:
            smallest[t.tensor_type] = t
    with open(os.path.join(outdir, "dequant.txt"), "w") as manifest:
        for qtype, t in smallest.items():
            block_size, type_size = GGML_QUANT_SIZES[qtype]
            count = t.n_elements if t.n_elements <= WHOLE_TENSOR_LIMIT else PREFIX_VALUES
            nbytes = count // block_size * type_size
            raw = np.asarray(reader.data[t.data_offset:t.data_offset + nbytes], dtype=np.uint8)
            values = gguf.quants.dequantize(raw, qtype).astype(np.float32, copy=False)
            assert values.size == count
            name = f"{qtype.name}.f32"
            values.astype("<f4").tofile(os.path.join(outdir, name))
            manifest.write(f"{int(qtype)} {t.name} {count} {name}\n")


def random_blocks(qtype, rng):
    block_size, type_size = GGML_QUANT_SIZES[qtype]
    n = SYNTHETIC_PLAIN_VALUES
    if qtype == Q.F32:
        bits = rng.integers(0, 2**32, size=n, dtype=np.uint32)
        bits = np.where((bits & 0x7F800000) == 0x7F800000, bits & 0xBFFFFFFF, bits)
        return bits.astype("<u4").view(np.uint8)
    if qtype in (Q.F16, Q.BF16):
        exp_mask = 0x7C00 if qtype == Q.F16 else 0x7F80
        bits = rng.integers(0, 2**16, size=n, dtype=np.uint16)
        # An all-ones exponent (inf, NaN) loses its top bit.
        bits = np.where((bits & exp_mask) == exp_mask, bits & 0xBFFF, bits)
        return bits.astype("<u2").view(np.uint8)
    blocks = rng.integers(0, 256, size=(SYNTHETIC_BLOCKS, type_size), dtype=np.uint8)
    for offset in F16_FIELDS[qtype]:
        # Magnitudes from f16 subnormals to the hundreds, both signs.
        scales = rng.standard_normal(SYNTHETIC_BLOCKS) * 10.0 ** rng.uniform(-8, 2, SYNTHETIC_BLOCKS)
        blocks[:, offset:offset + 2] = scales.astype("<f2").view(np.uint8).reshape(-1, 2)
    return blocks.reshape(-1)


def dump_synthetic(outdir):
    rng = np.random.default_rng(20240611)
    types = [Q.F32, Q.F16, Q.BF16, Q.Q4_0, Q.Q4_1, Q.Q5_0, Q.Q5_1, Q.Q8_0, Q.Q4_K, Q.Q5_K, Q.Q6_K]
    with open(os.path.join(outdir, "synthetic.txt"), "w") as manifest:
        for qtype in types:
            raw = random_blocks(qtype, rng)
            values = gguf.quants.dequantize(raw, qtype).astype(np.float32, copy=False).reshape(-1)
            assert np.isfinite(values).all(), qtype.name
            raw.tofile(os.path.join(outdir, f"{qtype.name}.raw"))
            values.astype("<f4").tofile(os.path.join(outdir, f"{qtype.name}.f32"))
            manifest.write(f"{int(qtype)} {values.size} {qtype.name}.raw {qtype.name}.f32\n")


def main(argv):
    if len(argv) == 4 and argv[1] == "file":
        dump_file(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "synthetic":
        dump_synthetic(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
