#!/usr/bin/env python3
"""lmc's logits and greedy tokens against the independent numpy reference
(tests/reference/reference_forward.py), for one model and several pass pipelines.

  verify_logits.py --lmc BUILD/tools/lmc --model {gemma3,llama,gpt2,gemma3-1b,typed,qwen2,qwen3,mistral,llama3,phi3,
                                                  llama-dynamic,phi4-mini,gemma2-2b,...}
                   --work-dir DIR [--checkpoint DIR] [--pipelines none,default,f32-fused]

The Llama-like families (qwen2, qwen3, mistral, llama3, phi3), Gemma 2 and Gemma 3 1B are
given to lmc as weights alone, with no definition named, so lmc picks the definition from
the weights' architecture — one definition for a family's folders and GGUF files: the
generated Hugging Face folder (make_random_checkpoint.py) through every pipeline, and the
GGUF convert_to_gguf.py made of it through the unfused one (llama-dynamic, whose rope
scaling has no GGUF form, from the folder alone). Both are compared with the reference of
the folder's weights; the reference reading the GGUF must agree with it too.

Per pipeline the model is compiled once (`lmc compile`, with --weights for the generated
checkpoints and the generated GGUF of "typed", whose weights are in the K-, i-, ternary
and FP4 types and whose reference dequantizes them with gguf.quants.dequantize), then for each fixed prompt `lmc run ARTIFACT --max-tokens 32 --logits-out`
writes every prompt row's logits and every decode step's (--profile tells how it split
the prompt into steps, for the report: the numbers do not depend on it). The
reference runs the same
token ids (from an independent tokenizer: tests/reference/tokenize_reference.py for a
GGUF vocabulary, Hugging Face `tokenizers` for a tokenizer.json) and is compared:
  * logits at every prompt position and at the first 16 decode steps: max |diff| and the
    lowest cosine similarity over the rows, within the tolerances below;
  * the 32 greedy tokens: lmc's choice at each step (the argmax of its logits row over the
    ids its tokenizer has, as lmc's sampler picks: rows past the vocabulary, a model's
    padding, are never chosen) must be
    the reference's. The reference is fed lmc's tokens back (teacher forcing), so both
    stay on one path; when they agree at every step, that path is the reference's own
    greedy path. A disagreement is accepted only as a near-tie: the reference's margin
    between its choice and lmc's is at most twice the two implementations' measured
    difference on that row (capped by the tolerance). If the logits of both were within
    d of each other everywhere, a margin above 2d could not flip the argmax, so anything
    else is a real disagreement. Near-ties are printed with their margins.
  * the text lmc streamed is the prompt plus the reference tokenizer's decoding of the
    tokens (which checks the stream decoder and, with the row counts, the prompt ids);
  * one more run without --logits-out takes lmc's usual path: the prompt in steps of up
    to step_tokens rows (the compute-bound prefill kernels) and only the last row's
    logits; its greedy text must be the reference's greedy text up to a near-tie.

The tolerances and how they are justified are logits_checks.py's, with the checks that apply
them; the reference's tokenizers are logits_tokenizers.py's.

Exit codes: 0 all checks passed, 1 a check failed, 77 the model's weights are absent (skip).
"""
import os

# One BLAS thread: the reference is a chain of small products, which threads only slow
# down on a 2-core machine shared with lmc.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import re
import subprocess
import sys
import time

import numpy as np

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SOURCE, "tests", "reference"))
import reference_forward as rf  # noqa: E402
from logits_checks import (F32_MAX_ABS, F32_MIN_COS, GREEDY_TOKENS, Failure, Tolerance,  # noqa: E402
                           cache_tolerance, check_plain_run, check_streamed_text, compare_run, compared_rows,
                           generate, q8_tolerance)
from logits_checks import DECODE_ROWS_COMPARED, forget_generated  # noqa: E402
from logits_tokenizers import GgufTokenizer, JsonTokenizer  # noqa: E402
from quant_mirror import Q8Plan  # noqa: E402

SKIP = 77

# name: (passes, Q8_0 weights as the default pipeline ("keep": the blocks a file stores kept,
#        the rest by the rule), KV cache dtype, more lmc compile flags)
PIPELINES = {
    "none": ("none", False, "f32", []),
    # Weights a file stores in a kept type (q4_0 ... iq4_xs) keep those blocks; the others by the rule.
    "default": ("default", "keep", "f16", []),
    # The default with every weight decided by the rule, the file's blocks requantized.
    "requantize": ("default", True, "f16", ["--requantize=q8_0"]),
    # Every fusion together, in F32 so that agreement is tight ...
    "f32-fused": ("fuse-qkv,fuse-gate-up,fuse-down-act,fuse-norm-linear,fuse-qk-rope,fuse-residual,fuse-elementwise", False, "f32",
                  []),
    # ... and each fusion pass that makes regions, alone.
    "norm-linear": ("fuse-norm-linear", False, "f32", []),
    "residual": ("fuse-residual", False, "f32", []),
    "elementwise": ("fuse-elementwise", False, "f32", []),
    # The KV cache in each dtype, chosen by the flag: F32 weights, so that the cache's
    # rounding (mirrored by the reference) is all that differs from "none".
    "cache-f32": ("kv-cache-type", False, "f32", ["--cache-type=f32"]),
    "cache-f16": ("kv-cache-type", False, "f16", ["--cache-type=f16"]),
    "cache-q8_0": ("kv-cache-type", False, "q8_0", ["--cache-type=q8_0"]),
}

LONG_PROMPT = ("In 1969 the Apollo 11 mission landed the first people on the Moon. Neil Armstrong and "
               "Buzz Aldrin spent about two hours outside the lunar module while Michael Collins "
               "stayed in orbit. When they returned to Earth, the three astronauts")

MODELS = {
    "gemma3": dict(yaml="models/gemma3.yaml", gguf="models/weights/gemma-3-270m-q4_k_m.gguf",
                   prompts=["The capital of France is", LONG_PROMPT]),
    "llama": dict(yaml="models/llama.yaml", gguf="models/weights/SmolLM2-135M-Instruct.Q4_1.gguf",
                  prompts=["The capital of France is", LONG_PROMPT]),
    "gpt2": dict(yaml="models/gpt2.yaml",
                 prompts=["The quick brown fox jumps over the lazy dog.",
                          "Every layer reads the residual stream, normalizes it, attends to the past and "
                          "adds the result. Language models predict the next token"]),
    # From the folder and from the GGUF convert_to_gguf.py made of it, given alone.
    "gemma3-1b": dict(detect=True, prompts=["The capital of France is Paris, and the capital of Italy is"]),
    # Weights in every ggml type lmc gained for GGUF (make_typed_model.py), in --checkpoint.
    "typed": dict(yaml="models/llama.yaml", generated_gguf="typed.gguf",
                  prompts=["The capital of France is in the north of it"]),
}
# Generated checkpoints lmc runs from the folder and from its GGUF without a definition named,
# held to issue 35's F32 bound, 1e-4 (each measures 6e-6 to 2e-5).
for _family in ("qwen2", "qwen3", "mistral", "llama3", "phi3", "phi4-mini", "gemma2-2b", "qwen3moe", "qwen2moe",
                "olmoe", "mixtral"):
    MODELS[_family] = dict(detect=True, f32_max_abs=1e-4,
                           prompts=["The capital of France is Paris, and the capital of Italy is Rome. "
                                    "Numbers like 12345 are written with digits"])
# Dynamic NTK rope scaling has no GGUF form (llama.cpp's converter writes none): from the folder only.
MODELS["llama-dynamic"] = dict(MODELS["llama3"], folder_only=True)
# The GGUF of a generated folder is checked through the unfused pipeline: the passes see
# the same graph from either file, which the folder's run checks through every pipeline.
GGUF_PIPELINES = ["none"]


# ---------------------------------------------------------------- running lmc

def run(cmd):
    # A random model's text may end inside a character (a byte token alone): read it as such.
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    if p.returncode != 0:
        raise Failure(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
    return p.stdout, p.stderr


def lmc_generate(lmc, artifact, prompt, logits_path=None):
    """(stdout, prompt tokens, decode steps, rows of each prompt step) of one greedy lmc run.

    The profile's step table tells how lmc split the prompt into steps."""
    cmd = [lmc, "run", artifact, "--prompt", prompt, "--max-tokens", str(GREEDY_TOKENS), "--profile"]
    if logits_path:
        cmd.append("--logits-out=" + logits_path)
    out, err = run(cmd)
    m = re.search(r"prompt (\d+) tokens .*decode (\d+) tokens", err)
    if not m:
        raise Failure(f"lmc run printed no stats line:\n{err}")
    n_prompt = int(m.group(1))
    steps = [int(rows or 1) for rows in re.findall(r"^\| (?:Prefill \((\d+) rows\)|Token \d+) \|", err, re.M)]
    prefill, covered = [], 0
    while covered < n_prompt and len(prefill) < len(steps):
        prefill.append(steps[len(prefill)])
        covered += prefill[-1]
    if covered != n_prompt:
        raise Failure(f"lmc run --profile: the step table {steps} does not cover the {n_prompt} prompt tokens:\n{err}")
    return out, n_prompt, int(m.group(2)), prefill



# ---------------------------------------------------------------- one model

def prepare(args, spec):
    """(weights path for the reference, the ways lmc is given the model, tokenizer). Each way
    is (label, lmc compile's model arguments, pipelines)."""
    if spec.get("detect"):
        gguf_pipelines = [p for p in args.pipelines if p in GGUF_PIPELINES]
        path, tok = checkpoint(args)
        ways = [("folder", [path], args.pipelines)]
        if not spec.get("folder_only"):
            ways.append(("gguf", [path + ".gguf"], gguf_pipelines))
        return path, ways, tok
    path, flags, tok = weights_of(args, spec)
    return path, [("", [os.path.join(SOURCE, spec["yaml"])] + flags, args.pipelines)], tok


def checkpoint(args):
    if not args.checkpoint or not os.path.exists(os.path.join(args.checkpoint, ".complete")):
        raise Failure(f"no generated checkpoint at {args.checkpoint} (make_random_checkpoint.py makes it)")
    return args.checkpoint, JsonTokenizer(os.path.join(args.checkpoint, "tokenizer.json"))


def weights_of(args, spec):
    """(weights path for the reference, extra lmc compile flags, tokenizer)."""
    if "gguf" in spec:
        path = os.path.join(SOURCE, spec["gguf"])
        if not os.path.exists(path):
            print(f"SKIP: {path} is absent (scripts/setup.sh installs it)")
            sys.exit(SKIP)
        return path, [], GgufTokenizer(path)
    if "generated_gguf" in spec:
        path = os.path.join(args.checkpoint or "", spec["generated_gguf"])
        if not os.path.exists(path):
            raise Failure(f"no generated model at {path} (make_typed_model.py makes it)")
        return path, ["--weights=" + path], GgufTokenizer(path)
    path, tok = checkpoint(args)
    return path, ["--weights=" + path], tok


def lmc_runs(args, spec, ways, work):
    """Every lmc run first, so lmc and the reference never hold their weights together."""
    runs = {}
    for way, model_args, pipelines in ways:
        for name in pipelines:
            passes, _, _, flags = PIPELINES[name]
            stem = "-".join(filter(None, [args.model, way, name]))
            artifact = os.path.join(work, stem + ".lmc")
            t0 = time.time()
            run([args.lmc, "compile"] + model_args + ["-o", artifact, "--passes=" + passes] + flags)
            t1 = time.time()
            for k, prompt in enumerate(spec["prompts"]):
                npy = os.path.join(work, f"{stem}-{k}.npy")
                runs[way, name, k] = lmc_generate(args.lmc, artifact, prompt, npy) + (npy,)
            runs[way, name, "plain"] = lmc_generate(args.lmc, artifact, spec["prompts"][-1])
            os.remove(artifact)
            print(f"[lmc] {stem}: compiled in {t1 - t0:.1f} s, {len(spec['prompts']) + 1} runs in "
                  f"{time.time() - t1:.1f} s", flush=True)
    return runs


def check_gguf_reference(weights, f32, ids):
    """The reference reading the generated GGUF (llama.cpp's names, permuted q/k for
    "llama", Gemma's norms stored as 1 + w) computes what it computes from the folder."""
    other = rf.load_model(weights + ".gguf").prepared(None)
    a, _ = rf.generate(f32, ids, 4)
    b, _ = rf.generate(other, ids, 4)
    diff = float(np.abs(a - b).max())
    if diff > 1e-4:
        raise Failure(f"the reference from {weights}.gguf differs from the folder's by {diff:.4g}")
    return f"reference from the GGUF = reference from the folder (max|d| {diff:.3g} over {len(a)} rows)"


def verify_prompt(label, prompt, ids, run_result, pm, unrounded, tolerance_of, tok, notes, f32_max_abs=F32_MAX_ABS):
    out, n_prompt, decoded, prefill, npy = run_result
    if n_prompt != len(ids):
        raise Failure(f"{label}: lmc tokenized the prompt into {n_prompt} tokens, the reference tokenizer "
                      f"into {len(ids)}")
    lm = np.load(npy)
    if lm.shape[0] != n_prompt + decoded:
        raise Failure(f"{label}: --logits-out wrote {lm.shape[0]} rows for {n_prompt} prompt tokens and "
                      f"{decoded} decode steps")
    path = [int(t) for t in np.argmax(lm[n_prompt - 1:, :tok.size], axis=1)]
    eog_stop = len(path) < GREEDY_TOKENS
    ref, _ = generate(pm, ids, len(path), tok.size, path=path)
    if unrounded is not None:
        plain, _ = generate(unrounded, ids, len(path), tok.size, path=path)
        tol = tolerance_of(ref, plain, compared_rows(n_prompt, len(lm)))
    else:
        tol = Tolerance(f32_max_abs, F32_MIN_COS, "f32")
    ties = len(notes)
    r = compare_run(label, ids, lm, ref, tol, path, notes, tok.size)
    near_ties = len(notes) - ties
    check_streamed_text(label, out, prompt, tok, path, eog_stop)
    if eog_stop:
        notes.append(f"lmc stopped at end-of-generation token {path[-1]} after {len(path)} tokens, "
                     "as the reference's argmax says")
    line = (f"{label:26s} {len(ids):3d} prompt rows ({len(prefill)} steps): max|d| {r['prefill_abs']:.3g} cos {r['prefill_cos']:.7f}; "
            f"{min(decoded, DECODE_ROWS_COMPARED)} decode rows: max|d| {r['decode_abs']:.3g} "
            f"cos {r['decode_cos']:.7f}; greedy tokens agree {len(path) - near_ties}/{len(path)}"
            f"{f' (+{near_ties} near-tie)' if near_ties else ''} "
            + (f"mean square {r['ms_ratio']:.2f}x the rounding effect's " if "ms_ratio" in r else "") +
            f"[tolerance max|d| {tol.max_abs:.3g}, cos {tol.min_cos:.7f}]")
    return line, tol, path


def verify(args):
    spec = MODELS[args.model]
    weights, ways, tok = prepare(args, spec)
    work = os.path.join(args.work_dir, args.model)
    os.makedirs(work, exist_ok=True)
    ids = [tok.encode(p) for p in spec["prompts"]]
    runs = lmc_runs(args, spec, ways, work)

    t0 = time.time()
    model = rf.load_model(weights)
    print(f"[reference] loaded {weights} in {time.time() - t0:.1f} s", flush=True)
    passed, failed, summary = 0, 0, []
    f32 = model.prepared(None)
    if any(way == "gguf" for way, _, _ in ways):
        summary.append(check_gguf_reference(weights, f32, ids[0]))
        print(summary[-1], flush=True)
    for name in args.pipelines:
        _, quantized, cache, _ = PIPELINES[name]
        plan = Q8Plan(keep_source=quantized == "keep") if quantized else None
        pm = model.prepared(plan, cache) if quantized or cache != "f32" else f32
        # What the tolerance is measured against: the same reference without lmc's input
        # rounding (Q8_0), or without its cache rounding.
        unrounded, tolerance_of = None, None
        if quantized:
            unrounded, tolerance_of = pm.without_input_rounding(), q8_tolerance
        elif cache != "f32":
            unrounded, tolerance_of = f32, cache_tolerance
        for way in [way for way, _, pipelines in ways if name in pipelines]:
            for k, prompt in enumerate(spec["prompts"]):
                label = "/".join(filter(None, [args.model, way, name, f"prompt{k}"]))
                notes = []
                try:
                    line, tol, path = verify_prompt(label, prompt, ids[k], runs[way, name, k], pm, unrounded,
                                                    tolerance_of, tok, notes, spec.get("f32_max_abs", F32_MAX_ABS))
                    if k == len(spec["prompts"]) - 1:
                        plain = runs[way, name, "plain"]
                        n = check_plain_run(label, plain, prompt, ids[k], pm, tok, tol, notes, path)
                        notes.append(f"plain run (prompt in {len(plain[3])} step(s) of up to {max(plain[3])} rows, "
                                     f"last row's logits only): greedy text agrees for {n} tokens")
                    passed += 1
                    os.remove(runs[way, name, k][-1])  # kept only when a check failed, for a look
                except Failure as e:
                    line = f"{label:26s} FAILED: {e}"
                    failed += 1
                summary += [line] + ["    " + n for n in notes]
                print("\n".join(summary[-1 - len(notes):]), flush=True)
        del pm, unrounded
        forget_generated()  # keyed by the prepared model's id, which a later one may reuse
    print("\nsummary:\n" + "\n".join(summary))
    print(f"\n{args.model}: {passed} passed, {failed} failed")
    return 1 if failed else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lmc", required=True)
    ap.add_argument("--model", required=True, choices=sorted(MODELS))
    ap.add_argument("--work-dir", required=True)
    ap.add_argument("--checkpoint", help="the generated checkpoint directory (all but gemma3 and llama)")
    ap.add_argument("--pipelines", default="none,default,f32-fused")
    args = ap.parse_args()
    args.pipelines = args.pipelines.split(",")
    try:
        return verify(args)
    except Failure as e:
        print(f"FAILED: {e}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
