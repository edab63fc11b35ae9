#!/usr/bin/env python3
"""Tensor parallelism over MPI: `mpirun -np 2 lmc run` against one process.

  verify_tensor_parallel.py --lmc BUILD/tools/lmc --work-dir DIR

Loopback only, two ranks of one thread each, bounded (a few minutes at most); exit 77
when the weights or mpirun are absent, or lmc was built without MPI.
  * SmolLM2-135M with every linear and the KV cache in F32 (the file's q4_1 blocks not kept,
    --requantize=q8_0, and --quant-min-dim past every dim,
    --cache-type=f32: an f16 cache would round the ranks' different summation orders into
    whole f16 steps): its 9 query
    heads in 3 KV groups split unevenly (3 and 6), the feed-forward and the vocabulary in
    halves. The logits of every prompt row and decode step are within the F32 tolerance of
    the single-process run (max |d| <= 1e-3, cosine >= 1 - 1e-6, as verify_logits.py
    argues) and the greedy text is the same.
  * Gemma 3 270M from its Q4_K_M file with the default pipeline (Q8_0) and an f32 KV cache,
    each rank holding about half the weights. The ranks' sums in another order redraw the
    int8 input rounding (q8_K's one scale per 256 values for the K-type weights, coarser
    than Q8_0's per 32: min cosine 0.9957 seen), so the greedy text is one
    process's until a near-tie at most: every step before the texts part picks the same
    token with logits rows at cosine >= 0.99, and where they part the single process's
    logits of the two choices are within 0.1 (this prompt: the same 16 tokens, then a tie
    at margin 0.03; the default f16 cache draws one at token 5).
  * A rank that stops taking part (here: it was asked for fewer tokens and has finished)
    makes the other fail with a clear error within LMC_COLLECTIVE_TIMEOUT, not hang.
  * GPT-2 (generated, real shapes; its vocabulary of 50257 stays whole) and Phi-3 mini
    (generated GGUF, one layer at real shapes), whose Q, K and V (and Phi-3's gate and up)
    come out of one stacked projection: the same F32 agreement as SmolLM2.
  * `lmc compile --tensor-parallel=2 -o gemma.lmc` writes gemma.rank0.lmc and
    gemma.rank1.lmc; `mpirun -np 2 lmc run gemma.lmc` runs them with the 2-rank text; a
    rank's artifact alone, or on the wrong rank, is refused with a clear error; a split
    that fails for one rank leaves none of the ranks' artifacts.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time

import numpy as np

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WEIGHTS = os.path.join(SOURCE, "models", "weights")
SMOLLM = os.path.join(WEIGHTS, "SmolLM2-135M-Instruct.Q4_1.gguf")
GEMMA = os.path.join(WEIGHTS, "gemma-3-270m-q4_k_m.gguf")
PROMPT = "The capital of France is"
# mpirun refuses root unless told; CI machines run as root.
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1", OMPI_MCA_btl="self,vader")


def mpirun(lmc, args, env=None, timeout=300):
    # --bind-to none: one core per rank would otherwise be all each rank's threads get.
    cmd = ["mpirun", "-np", "2", "--bind-to", "none", lmc] + args
    return subprocess.run(cmd, capture_output=True, text=True, env=env or ENV, timeout=timeout)


def alone(lmc, args):
    return subprocess.run([lmc] + args, capture_output=True, text=True, env=ENV, timeout=300)


def check(ok, what):
    if not ok:
        raise SystemExit("FAIL: " + what)
    print("ok:", what)


def weights_line(stderr):
    return [float(m) for m in re.findall(r"weights ([0-9.]+) MB", stderr)]


def f32_logits(lmc, work, name, model, halves=True):
    args = ["run", model, "-p", PROMPT, "-n", "8", "--requantize=q8_0", "--quant-min-dim", "1000000000", "--cache-type",
            "f32", "-t", "1"]
    one = alone(lmc, args + ["--logits-out", os.path.join(work, name + ".one.npy")])
    check(one.returncode == 0, name + " F32 alone runs: " + one.stderr[-400:])
    two = mpirun(lmc, args + ["--logits-out", os.path.join(work, name + ".two.npy")])
    check(two.returncode == 0, name + " F32 on 2 ranks runs: " + two.stderr[-600:])
    check(two.stdout == one.stdout, name + " F32: the same greedy text on 2 ranks as alone: %r" % two.stdout)
    a, b = np.load(os.path.join(work, name + ".one.npy")), np.load(os.path.join(work, name + ".two.npy"))
    check(a.shape == b.shape, name + " F32: as many logits rows (%s vs %s)" % (a.shape, b.shape))
    d = float(np.abs(a - b).max())
    cos = min(float(np.dot(x, y) / (np.linalg.norm(x) * np.linalg.norm(y))) for x, y in zip(a, b))
    check(d <= 1e-3 and cos >= 1 - 1e-6,
          name + " F32: every row within tolerance (max |d| %.2e, min cosine %.9f)" % (d, cos))
    if halves:  # every table split, its embedding's too (GPT-2's odd vocabulary stays whole)
        whole, shares = weights_line(one.stderr), weights_line(two.stderr)
        check(len(shares) == 2 and all(s <= 0.55 * whole[0] for s in shares),
              name + " F32: each rank holds about half the weights (%s MB of %s MB)" % (shares, whole))


def gemma_text(lmc, work):
    """The 2-rank greedy text, after checking it against one process's up to a near-tie."""
    args = ["run", GEMMA, "-p", PROMPT, "-n", "24", "--cache-type", "f32", "-t", "1"]
    paths = [os.path.join(work, "gemma.%s.npy" % n) for n in ("one", "two")]
    one = alone(lmc, args + ["--logits-out", paths[0]])
    check(one.returncode == 0, "Gemma alone runs: " + one.stderr[-400:])
    two = mpirun(lmc, args + ["--logits-out", paths[1]])
    check(two.returncode == 0, "Gemma on 2 ranks runs: " + two.stderr[-600:])
    a, b = (np.load(p).astype(np.float64) for p in paths)
    check(a.shape == b.shape, "Gemma: as many logits rows (%s vs %s)" % (a.shape, b.shape))
    parted = next((i for i in range(len(a)) if a[i].argmax() != b[i].argmax()), None)
    same = a if parted is None else a[:parted + 1]
    cos = min(float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y))) for x, y in zip(same, b))
    check(cos >= 0.99, "Gemma: the logits rows agree up to where the texts part (min cosine %.6f)" % cos)
    if parted is None:
        check(two.stdout == one.stdout, "Gemma 3 270M Q4_K_M: the same greedy text on 2 ranks: %r" % two.stdout.strip())
    else:
        margin = float(a[parted].max() - a[parted][b[parted].argmax()])
        check(margin <= 0.1, "Gemma 3 270M Q4_K_M: 2 ranks part from one process at row %d only at a near-tie "
              "(margin %.3f): %r vs %r" % (parted, margin, two.stdout.strip(), one.stdout.strip()))
    whole, shares = weights_line(one.stderr), weights_line(two.stderr)
    check(len(shares) == 2 and all(s < 0.6 * whole[0] for s in shares),
          "each rank holds about half the weights (%s MB of %s MB)" % (shares, whole))
    return two.stdout


def rank_artifacts(lmc, work, text):
    whole = os.path.join(work, "gemma.lmc")
    c = alone(lmc, ["compile", GEMMA, "--tensor-parallel=2", "--cache-type=f32", "-o", whole])
    check(c.returncode == 0, "lmc compile --tensor-parallel=2 runs: " + c.stderr[-400:])
    files = [os.path.join(work, "gemma.rank%d.lmc" % r) for r in (0, 1)]
    check(all(os.path.exists(f) for f in files) and not os.path.exists(whole),
          "it writes one artifact per rank: " + ", ".join(os.path.basename(f) for f in files))
    two = mpirun(lmc, ["run", whole, "-p", PROMPT, "-n", "24", "-t", "1"])
    check(two.returncode == 0, "mpirun -np 2 lmc run gemma.lmc runs each rank's artifact: " + two.stderr[-600:])
    check(two.stdout == text, "the same greedy text from the rank artifacts as compiled at run: %r" % two.stdout.strip())
    solo = alone(lmc, ["run", files[1], "-p", PROMPT, "-n", "2"])
    check(solo.returncode != 0 and "holds rank 1 of 2 of a split model: run it with mpirun -np 2" in solo.stderr,
          "rank 1's artifact alone is refused: " + solo.stderr.strip()[-200:])
    wrong = mpirun(lmc, ["run", files[0], "-p", PROMPT, "-n", "2"], timeout=120)
    check(wrong.returncode != 0 and "holds rank 0 of 2 of a split model, but this process is rank 1 of 2" in wrong.stderr,
          "rank 0's artifact on rank 1 is refused: " + wrong.stderr.strip()[-300:])
    # SmolLM2's 3 KV groups cannot be split over 4 ranks: rank 1 fails after rank 0 was
    # written, and the command leaves no rank's file behind.
    four = alone(lmc, ["compile", SMOLLM, "--tensor-parallel=4", "-o", os.path.join(work, "smol.lmc")])
    left = [f for f in os.listdir(work) if f.startswith("smol.")]
    check(four.returncode == 1 and "straddle KV groups" in four.stderr and not left,
          "a rank that cannot compile leaves no artifacts (%s): %s" % (left, four.stderr.strip()[-200:]))


def rank_that_leaves(lmc):
    env = dict(ENV, LMC_COLLECTIVE_TIMEOUT="5")
    # Rank 1 is asked for 2 tokens, rank 0 for 200 (mpirun's app context: one program per
    # rank, separated by ':'): rank 1 finishes and stops answering.
    run = [lmc, "run", SMOLLM, "-p", PROMPT, "-t", "1", "-n"]
    t0 = time.time()
    p = subprocess.run(["mpirun", "--bind-to", "none", "-np", "1"] + run + ["200", ":", "-np", "1"] + run + ["2"],
                       capture_output=True, text=True, env=env, timeout=120)
    took = time.time() - t0
    check(p.returncode != 0, "a rank that leaves fails the job (exit %d)" % p.returncode)
    check(took < 60, "within a bounded time (%.1f s)" % took)
    check("no answer from the other ranks" in p.stderr or "exited" in p.stderr,
          "with a clear error: " + p.stderr.strip().splitlines()[0] if p.stderr.strip() else "(no stderr)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--checkpoints", required=True, help="the generated GPT-2 folder and Phi-3 GGUF")
    args = ap.parse_args()
    if not shutil.which("mpirun") or not (os.path.exists(SMOLLM) and os.path.exists(GEMMA)):
        print("skip: mpirun or the weights are absent")
        return 77
    env_probe = subprocess.run(["mpirun", "-np", "2", "--bind-to", "none", "true"], capture_output=True, text=True,
                               env=ENV, timeout=60)
    if env_probe.returncode != 0:
        print("skip: this machine cannot start a 2-rank MPI job:", env_probe.stderr.strip()[:300])
        return 77
    probe = mpirun(args.lmc, ["run", "--help"], timeout=60)
    if "without MPI" in probe.stderr:
        print("skip: lmc was built without MPI")
        return 77
    work = os.path.join(args.work_dir, "tensor_parallel")
    os.makedirs(work, exist_ok=True)
    f32_logits(args.lmc, work, "SmolLM2", SMOLLM)
    f32_logits(args.lmc, work, "GPT-2", os.path.join(args.checkpoints, "gpt2"), halves=False)
    f32_logits(args.lmc, work, "Phi-3", os.path.join(args.checkpoints, "phi3.gguf"))
    rank_artifacts(args.lmc, work, gemma_text(args.lmc, work))
    rank_that_leaves(args.lmc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
