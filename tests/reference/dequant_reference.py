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
      synthetic.gguf one tensor of every type gguf-py dequantizes (and F64, I8..I64), named
                     after its type, 8 rows of random blocks with finite scales
                     (tests/reference/random_blocks.py)
      synthetic.txt  per tensor: type_id name count f32_file
      <type>.f32     its expected values: gguf.quants.dequantize (numpy's conversion to
                     float32 for F64 and the integers), little-endian float32
"""
import json
import os
import sys

import numpy as np
import gguf
from gguf.constants import GGML_QUANT_SIZES

import random_blocks

WHOLE_TENSOR_LIMIT = 2 * 1024 * 1024
PREFIX_VALUES = 65536
SYNTHETIC_ROWS = 8
SYNTHETIC_BLOCKS = 64  # per tensor; 4096 values for the one-value-per-block types

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


def dump_synthetic(outdir):
    rng = np.random.default_rng(20240611)
    writer = gguf.GGUFWriter(os.path.join(outdir, "synthetic.gguf"), "synthetic")
    with open(os.path.join(outdir, "synthetic.txt"), "w") as manifest:
        for qtype in random_blocks.TYPES:
            n_blocks = SYNTHETIC_BLOCKS * (64 if GGML_QUANT_SIZES[qtype][0] == 1 else 1)
            raw = random_blocks.random_blocks(qtype, n_blocks, rng).reshape(SYNTHETIC_ROWS, -1)
            values = random_blocks.dequantize(raw.reshape(-1), qtype).reshape(-1)
            assert not np.isnan(values).any(), qtype.name
            name = qtype.name.lower().replace("_k", "_K")
            writer.add_tensor(name, raw, raw_dtype=qtype)
            values.astype("<f4").tofile(os.path.join(outdir, f"{name}.f32"))
            manifest.write(f"{int(qtype)} {name} {values.size} {name}.f32\n")
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def main(argv):
    if len(argv) == 4 and argv[1] == "file":
        dump_file(argv[2], argv[3])
    elif len(argv) == 3 and argv[1] == "synthetic":
        dump_synthetic(argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)
