#!/usr/bin/env python3
"""Batched generation (lmc run --prompts --parallel N, the engine of lmc serve) against
generation alone and against the numpy reference.

  verify_batch.py --lmc BUILD/tools/lmc --work-dir DIR

On SmolLM2-135M (its GGUF; exit 77 when absent), unquantized (--passes=none), eight
prompts of 1 to 50 tokens, 8 tokens each, at 1, 3 and 8 sequences at once. With 3 the
prompts join as slots free up, so every step mixes sequences at different positions; a
prompt's chunks take turns with the decode rows of the others.
  * every prompt's logits rows (each prompt position and decode step) are identical, bit
    for bit, at 1, 3 and 8 sequences: a row's numbers do not depend on who shares its step
    (runtime/batch_generator.h says why), so neither does its text;
  * at 8 sequences, each prompt's rows are within the F32 tolerance of the reference fed
    the same tokens (logits_checks.py justifies 1e-3 and cosine 1 - 1e-6), and each greedy
    token is the reference's argmax up to a near-tie (logits_checks.check_tokens).
  * with the default pipeline (every linear on Q8_0 blocks, whose paths sum alike at any
    row count), twelve prompts at 12 sequences: logits identical, bit for bit, to 1 at a
    time, though every decode step then has 9 or more rows (the linears' GEMM path).
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import logits_checks as lc  # noqa: E402
import verify_logits as vl  # noqa: E402
from logits_tokenizers import GgufTokenizer  # noqa: E402

MODEL = os.path.join(vl.SOURCE, "models", "weights", "SmolLM2-135M-Instruct.Q4_1.gguf")
PROMPTS = ["Hi", "The capital of France is", "def fibonacci(n):", "Once upon a time, in a land far away,",
           vl.LONG_PROMPT, "Water boils at", "A compiler turns source code into", "1, 2, 3, 4,"]
TOKENS = 8
PARALLEL = (1, 3, 8)
MORE_PROMPTS = ["Red, green and", "The moon is", "Dear friend,", "import numpy as"]
QUANTIZED_PARALLEL = 12


def run_batch(lmc, artifact, prompts_file, parallel, out_dir):
    p = subprocess.run([lmc, "run", artifact, "--prompts", prompts_file, "--parallel", str(parallel),
                        "--max-tokens", str(TOKENS), "--logits-out", out_dir], capture_output=True, text=True)
    if p.returncode != 0:
        raise lc.Failure(f"lmc run --prompts --parallel {parallel} exited {p.returncode}:\n{p.stderr}")
    lines = [json.loads(line) for line in p.stdout.splitlines()]
    with open(prompts_file) as f:
        count = len(f.read().splitlines())
    if sorted(r["index"] for r in lines) != list(range(count)):
        raise lc.Failure(f"--parallel {parallel}: expected one JSON line per prompt, got:\n{p.stdout}")
    return {r["index"]: r for r in lines}, [np.load(os.path.join(out_dir, f"{i}.npy")) for i in range(count)]


def quantized_beyond_8(lmc, work):
    """Q8_0 linears: 12 prompts at 12 sequences against one at a time, logits bit for bit."""
    prompts = PROMPTS + MORE_PROMPTS
    prompts_file = os.path.join(work, "prompts12.txt")
    with open(prompts_file, "w") as f:
        f.write("\n".join(prompts) + "\n")
    artifact = os.path.join(work, "smollm2-q8_0.lmc")
    vl.run([lmc, "compile", MODEL, "-o", artifact])
    runs = {n: run_batch(lmc, artifact, prompts_file, n, os.path.join(work, f"q8_0-parallel{n}"))
            for n in (1, QUANTIZED_PARALLEL)}
    os.remove(artifact)
    (_, alone), (_, batched) = runs[1], runs[QUANTIZED_PARALLEL]
    failures = [f"Q8_0 prompt {i} at {QUANTIZED_PARALLEL} sequences: logits differ from alone"
                for i in range(len(prompts)) if not np.array_equal(batched[i], alone[i])]
    print(f"[lmc] Q8_0: {len(prompts)} prompts at {QUANTIZED_PARALLEL} sequences: "
          f"{'identical logits to one at a time' if not failures else 'DIFFERENT'}", flush=True)
    return failures


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lmc", required=True)
    ap.add_argument("--work-dir", required=True)
    args = ap.parse_args()
    if not os.path.exists(MODEL):
        print(f"SKIP: {MODEL} is absent (scripts/setup.sh installs it)")
        return 77
    work = os.path.join(args.work_dir, "batch")
    os.makedirs(work, exist_ok=True)
    prompts_file = os.path.join(work, "prompts.txt")
    with open(prompts_file, "w") as f:
        f.write("\n".join(PROMPTS) + "\n")
    artifact = os.path.join(work, "smollm2-f32.lmc")
    vl.run([args.lmc, "compile", MODEL, "-o", artifact, "--passes=none"])
    runs = {n: run_batch(args.lmc, artifact, prompts_file, n, os.path.join(work, f"parallel{n}")) for n in PARALLEL}
    os.remove(artifact)

    failures = []
    alone_lines, alone = runs[1]
    for n in PARALLEL[1:]:
        lines, logits = runs[n]
        for i in range(len(PROMPTS)):
            if lines[i]["text"] != alone_lines[i]["text"]:
                failures.append(f"prompt {i} at {n} sequences: {lines[i]['text']!r}, alone {alone_lines[i]['text']!r}")
            elif not np.array_equal(logits[i], alone[i]):
                diff = float(np.abs(logits[i].astype(np.float64) - alone[i]).max()) \
                    if logits[i].shape == alone[i].shape else "shape " + str(logits[i].shape)
                failures.append(f"prompt {i} at {n} sequences: logits differ from alone ({diff})")
    print(f"[lmc] {len(PROMPTS)} prompts at {', '.join(map(str, PARALLEL))} sequences: "
          f"{'identical logits and texts' if not failures else 'DIFFERENT'}", flush=True)

    failures += quantized_beyond_8(args.lmc, work)

    tok = GgufTokenizer(MODEL)
    pm = vl.rf.load_model(MODEL).prepared(None)
    tol = lc.Tolerance(lc.F32_MAX_ABS, lc.F32_MIN_COS, "f32")
    _, batched = runs[PARALLEL[-1]]
    for i, prompt in enumerate(PROMPTS):
        ids = tok.encode(prompt)
        lm = batched[i]
        n = len(ids)
        if lm.shape[0] < n:
            failures.append(f"prompt {i}: {lm.shape[0]} logits rows for {n} prompt tokens")
            continue
        path = [int(t) for t in np.argmax(lm[n - 1:, :tok.size], axis=1)]
        ref, _ = lc.generate(pm, ids, len(path), tok.size, path=path)
        diff, cos = lc.row_stats(lm, ref)
        notes = []
        try:
            if diff.max() > tol.max_abs or cos.min() < tol.min_cos:
                raise lc.Failure(f"max|d| {diff.max():.3g}, lowest cosine {cos.min():.7f} "
                                 f"(tolerance {tol.max_abs}, {tol.min_cos})")
            lc.check_tokens(ref, lm, n - 1, path, tol, f"prompt {i}", notes, tok.size)
        except lc.Failure as e:
            failures.append(f"prompt {i} at {PARALLEL[-1]} sequences against the reference: {e}")
            continue
        print(f"prompt {i}: {n:3d} prompt rows + {len(path) - 1} decode rows: max|d| {diff.max():.3g} "
              f"cos {cos.min():.7f}; greedy tokens agree" + "".join("\n    " + x for x in notes), flush=True)

    for f in failures:
        print("FAILED: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
