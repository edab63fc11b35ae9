#!/usr/bin/env python3
"""Writes SafeTensors models with numpy, following the format as the safetensors package
writes it (header padded with spaces to 8 bytes, __metadata__ first), so the C++ reader
is checked against an independent writer.

  make_safetensors.py <outdir>
      single/model.safetensors, single/config.json
      sharded/model-0000{1,2}-of-00002.safetensors, sharded/model.safetensors.index.json,
      sharded/config.json
      expected.txt   per tensor: name dtype dims... (outermost first)
      <name>.f32     the tensor's values as float32
"""
import json
import os
import sys

import numpy as np


def to_bf16_bits(values):
    bits = values.astype(np.float32).view(np.uint32).astype(np.uint64)
    return ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16).astype(np.uint16)


def bf16_bits_to_f32(bits):
    return (bits.astype(np.uint32) << 16).view(np.float32)


def make_tensors(rng):
    """name -> (dtype, shape, raw bytes, float32 values)"""
    tensors = {}
    w = rng.standard_normal((4, 6)).astype(np.float32)
    tensors["model.embed.weight"] = ("F32", w.shape, w.tobytes(), w)
    h = (rng.standard_normal((3, 5)) * 100).astype(np.float16)
    tensors["model.layers.0.weight"] = ("F16", h.shape, h.tobytes(), h.astype(np.float32))
    b = to_bf16_bits(rng.standard_normal((2, 2, 3)))
    tensors["model.layers.1.weight"] = ("BF16", b.shape, b.tobytes(), bf16_bits_to_f32(b))
    s = np.array(3.5, dtype=np.float32)
    tensors["model.scale"] = ("F32", (), s.tobytes(), s)
    return tensors


def write_file(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    for name, (dtype, shape, raw, _) in tensors.items():
        header[name] = {"dtype": dtype, "shape": list(shape), "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as out:
        out.write(len(text).to_bytes(8, "little"))
        out.write(text)
        for _, _, raw, _ in tensors.values():
            out.write(raw)


def main(outdir):
    rng = np.random.default_rng(11)
    tensors = make_tensors(rng)
    config = {"model_type": "llama", "hidden_size": 6, "rms_norm_eps": 1e-05, "tie_word_embeddings": True}

    single = os.path.join(outdir, "single")
    os.makedirs(single)
    write_file(os.path.join(single, "model.safetensors"), tensors)
    with open(os.path.join(single, "config.json"), "w") as out:
        json.dump(config, out, indent=2)

    sharded = os.path.join(outdir, "sharded")
    os.makedirs(sharded)
    names = list(tensors)
    shards = {"model-00001-of-00002.safetensors": names[:2], "model-00002-of-00002.safetensors": names[2:]}
    weight_map = {}
    for file, shard_names in shards.items():
        write_file(os.path.join(sharded, file), {n: tensors[n] for n in shard_names})
        weight_map.update({n: file for n in shard_names})
    with open(os.path.join(sharded, "model.safetensors.index.json"), "w") as out:
        json.dump({"metadata": {"total_size": 0}, "weight_map": weight_map}, out, indent=2)
    with open(os.path.join(sharded, "config.json"), "w") as out:
        json.dump(config, out, indent=2)

    with open(os.path.join(outdir, "expected.txt"), "w") as manifest:
        for name, (dtype, shape, _, values) in tensors.items():
            manifest.write(" ".join([name, dtype] + [str(d) for d in shape]) + "\n")
            values.astype("<f4").tofile(os.path.join(outdir, name + ".f32"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
