"""Writes a small GGUF of named tensors for the graph compile tests: each argument
NAME=ROWSxCOLS (or NAME=N) adds an f32 tensor of that shape with seeded random values;
NAME=ROWSxCOLS@TYPE stores it in a block type gguf quantizes (q4_0, q5_0, q8_0, ...)."""
import sys

import gguf
import numpy as np


def main():
    out, specs = sys.argv[1], sys.argv[2:]
    w = gguf.GGUFWriter(out, "graph")
    rng = np.random.default_rng(0)
    for spec in specs:
        name, shape = spec.split("=")
        shape, _, block_type = shape.partition("@")
        dims = tuple(int(d) for d in shape.split("x"))
        values = rng.standard_normal(dims).astype(np.float32)
        if not block_type:
            w.add_tensor(name, values)
            continue
        qtype = gguf.GGMLQuantizationType[block_type.upper()]
        w.add_tensor(name, gguf.quants.quantize(values, qtype), raw_dtype=qtype)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
