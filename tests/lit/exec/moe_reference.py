"""The mixture-of-experts block of moe_block.lir in numpy, as transformers' Qwen3-MoE and
OLMoE compute it, with Qwen2-MoE's shared expert under its sigmoid gate: `write DIR` writes
its weights (DIR/w.gguf) and input (DIR/x.npy); `check DIR` recomputes the block from them
and compares lmc exec's outputs in DIR/out (the routed ids exactly, the result within 1e-4
of its largest value)."""
import sys

import gguf
import numpy as np

E, K, F, D, T, S = 8, 2, 32, 64, 5, 48


def weights():
    rng = np.random.default_rng(0)
    return {"router.weight": rng.standard_normal((E, D)).astype(np.float32),
            "gate_exps.weight": (rng.standard_normal((E, F, D)) / 8).astype(np.float32),
            "up_exps.weight": (rng.standard_normal((E, F, D)) / 8).astype(np.float32),
            "down_exps.weight": (rng.standard_normal((E, D, F)) / 6).astype(np.float32),
            "shexp_gate.weight": (rng.standard_normal((1, D)) / 4).astype(np.float32),
            "gate_shexp.weight": (rng.standard_normal((S, D)) / 8).astype(np.float32),
            "up_shexp.weight": (rng.standard_normal((S, D)) / 8).astype(np.float32),
            "down_shexp.weight": (rng.standard_normal((D, S)) / 6).astype(np.float32)}


def write(d):
    w = gguf.GGUFWriter(f"{d}/w.gguf", "graph")
    for name, a in weights().items():
        w.add_tensor(name, a)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    np.save(f"{d}/x.npy", np.random.default_rng(1).standard_normal((T, D)).astype(np.float32))


def check(d):
    w = {k: v.astype(np.float64) for k, v in weights().items()}
    x = np.load(f"{d}/x.npy").astype(np.float64)
    logits = x @ w["router.weight"].T
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    ids = np.argsort(-p, axis=1, kind="stable")[:, :K]
    gates = np.take_along_axis(p, ids, axis=1)
    gates /= gates.sum(axis=1, keepdims=True)
    y = np.zeros_like(x)
    for t in range(T):
        for j, e in enumerate(ids[t]):
            g = w["gate_exps.weight"][e] @ x[t]
            u = w["up_exps.weight"][e] @ x[t]
            m = g / (1 + np.exp(-g)) * u
            y[t] += gates[t, j] * (w["down_exps.weight"][e] @ m)
    gs = x @ w["gate_shexp.weight"].T
    shared = (gs / (1 + np.exp(-gs)) * (x @ w["up_shexp.weight"].T)) @ w["down_shexp.weight"].T
    gate = 1 / (1 + np.exp(-(x @ w["shexp_gate.weight"].T)))
    want = x + y + gate * shared
    got_ids = np.load(f"{d}/out/ids.npy")
    got = np.load(f"{d}/out/h.npy")
    err = np.abs(got - want).max() / np.abs(want).max()
    print(f"ids {'equal' if (got_ids == ids).all() else 'DIFFER'}; max relative error {err:.1e}")
    sys.exit(0 if (got_ids == ids).all() and err < 1e-4 else 1)


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1]](sys.argv[2])
