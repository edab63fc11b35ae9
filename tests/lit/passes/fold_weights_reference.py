"""fold_weights.lir's graph in numpy, for its lit test: lmc exec ran it on the params of
WEIGHTS.gguf and the input A.npy and wrote o.npy and side.npy into OUT; this computes both
from the same weights, rounding the Q8_0 weights and the int8 input rows of the kernels as
tests/reference/quant_mirror.py does, and prints each result's relative error (max |d|
over max |reference|). Exit 1 when one is above 1e-5: a fold that packed another tensor
than its expression names (concatenated in another order, quantized twice) is off by its
scale.

  fold_weights_reference.py WEIGHTS.gguf A.npy OUT
"""
import os
import sys

import gguf
import numpy as np

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "reference"))
from quant_mirror import q8_0_round_trip, q8_act_round_trip  # noqa: E402


def main():
    weights, a_path, out = sys.argv[1:4]
    w = {t.name: np.array(t.data, dtype=np.float32) for t in gguf.GGUFReader(weights).tensors}
    a = np.load(a_path)
    rows = q8_act_round_trip(a)
    qkv = np.concatenate([w["blk.0.attn_q.weight"], w["blk.0.attn_k.weight"], w["blk.0.attn_v.weight"]])
    want = {"o": rows @ q8_0_round_trip(w["blk.0.attn_output.weight"]).T,
            "side": np.concatenate([a, rows @ q8_0_round_trip(qkv).T], axis=1)}
    worst = 0.0
    for name, ref in want.items():
        rel = float(np.abs(np.load(os.path.join(out, name + ".npy")) - ref).max() / np.abs(ref).max())
        print(f"reference %{name} max_rel={rel:.1e}")
        worst = max(worst, rel)
    return 1 if worst > 1e-5 else 0


if __name__ == "__main__":
    sys.exit(main())
