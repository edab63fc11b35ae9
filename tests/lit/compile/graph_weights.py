"""Writes a small GGUF of named f32 tensors for the graph compile tests: each argument
NAME=ROWSxCOLS (or NAME=N) adds a tensor of that shape with seeded random values."""
import sys

import gguf
import numpy as np


def main():
    out, specs = sys.argv[1], sys.argv[2:]
    w = gguf.GGUFWriter(out, "graph")
    rng = np.random.default_rng(0)
    for spec in specs:
        name, shape = spec.split("=")
        dims = tuple(int(d) for d in shape.split("x"))
        w.add_tensor(name, rng.standard_normal(dims).astype(np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
