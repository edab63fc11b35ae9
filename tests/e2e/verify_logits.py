#!/usr/bin/env python3
"""lmc's logits and greedy tokens against the independent numpy reference
(tests/reference/reference_forward.py), for one model and several pass pipelines.

  verify_logits.py --lmc BUILD/tools/lmc --model {gemma3,llama,gpt2,gemma3-1b,typed,qwen2,qwen3,mistral,llama3,phi3,
                                                  llama-dynamic,phi4-mini,gemma2-2b,...}
                   --work-dir DIR [--checkpoint DIR] [--pipelines none,default,f32-fused]

The Llama-like families (qwen2, qwen3, mistral, llama3, phi3) and Gemma 2 are given to lmc as weights alone,
with no definition named, so lmc picks the definition from the weights' architecture:
the generated Hugging Face folder (make_random_checkpoint.py) through every pipeline, and
the GGUF convert_to_gguf.py made of it through the unfused one (llama-dynamic, whose rope
scaling has no GGUF form, from the folder alone). Gemma 3 1B's folder is
compiled with models/gemma3-1b.yaml named, and its GGUF, given alone, the same way as
theirs: lmc picks models/gemma3.yaml, the definition of llama.cpp's Gemma 3 files. Both
are compared with the reference of the folder's weights; the reference reading the GGUF
must agree with it too.

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

Tolerances (justification):
  * F32 pipelines (none, f32-fused, and each fusion alone): max |diff| <= 1e-3 (1e-4 for Gemma 2) and cosine >= 1 - 1e-6. Both sides
    compute the same math in f32 (the reference in f32 matrix products, norms, softmax and
    RoPE in f64); they differ only by rounding order: a K-term dot product differs by about
    sqrt(K) * 2^-24 relative, and ~30 normalized residual layers do not amplify it much.
    Measured on the real models: 3e-5 (Gemma 3 270M) and 7e-5 (SmolLM2) with logits up to
    ~40, so 1e-3 leaves >10x headroom while a real error (a wrong RoPE base or pairing, a
    norm offset, an attention window off by one, a wrong scale) moves logits by >= 0.1.
  * Quantized (default and requantize pipelines): the reference mirrors lmc's decisions
    (reference_forward.Q8Plan: the blocks a file stores kept exact by default, the other
    weights rounded through ggml's Q8_0, the tied table too, and the int8 input rows of
    lmc's memory-bound kernel). Weight rounding is reproduced bit for bit, but
    input rounding is discontinuous: an input that differs by one ulp (a different f32
    summation order) can round to the other int8 neighbour, which happens often because
    Q8_0 embedding rows put activations on a lattice where exact halves are common; after
    a few layers lmc's roundings and the reference's are independent draws. Their
    distance is then of the order of the effect of input rounding itself, which the test
    measures on the reference alone (mirror vs mirror without input rounding, same path):
    for two independent draws of that rounding noise one expects sqrt(2) times its max
    |diff| and 2 times its mean square difference. lmc must be within 2x the max |diff|
    (room for the spread of a worst row among ~50) and 4x the mean square over all
    compared rows (pooled, so the ratio is stable; the worst row's (1 - cosine) alone
    varied 0.2x-4x), and cosine >= 0.98 absolutely. A systematic error (a wrong block
    scale, a weight quantized that lmc keeps in F32 or the reverse) adds to the noise
    instead of redrawing it. Measured max|diff| ratios 0.7-1.3 over Gemma 3 270M,
    SmolLM2, GPT-2 and Gemma 3 1B shapes.
  * A KV cache in f16 or q8_0 (cache-f16, cache-q8_0: F32 weights): the reference rounds
    each key and value row as lmc's cache stores it (reference_forward.cache_round_trip),
    bit for bit, but whether a value lands on one side of a rounding boundary or the other
    depends on its last f32 bits, which the two implementations' summation orders decide:
    lmc's cache takes the other neighbour now and then, and later rows attend to it. The
    tolerance is the effect of the cache's rounding itself, measured on the reference (the
    mirror vs the reference with an f32 cache, same path): lmc must be nearer the mirror
    than the unrounded reference is, with a mean square at most 0.5x the effect's (a cache
    rounded otherwise, or read wrongly, is at 1x or beyond: a reference that grouped a
    "llama" GGUF's keys into q8_0 blocks in HF's order instead of the file's measured
    2.1-3.6x), max |diff| at most 1.5x the effect's and 1 - cosine at most 1.5x. Measured:
    mean square 0.02-0.26x, max |diff| 0.12-0.64x on Gemma 3 270M and SmolLM2.

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

SKIP = 77
GREEDY_TOKENS = 32
DECODE_ROWS_COMPARED = 16

F32_MAX_ABS = 1e-3
F32_MIN_COS = 1 - 1e-6
Q8_ABS_FACTOR = 2.0
Q8_MS_FACTOR = 4.0
Q8_MIN_COS = 0.98
CACHE_ABS_FACTOR = 1.5
CACHE_MS_FACTOR = 0.5

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
    # Also from the GGUF convert_to_gguf.py made of the folder (checkpoint_gguf).
    "gemma3-1b": dict(yaml="models/gemma3-1b.yaml", checkpoint_gguf=True,
                      prompts=["The capital of France is Paris, and the capital of Italy is"]),
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


class Failure(Exception):
    pass


# ---------------------------------------------------------------- tokenizers

class GgufTokenizer:
    """The reference tokenizer built from a GGUF's vocabulary (tokenize_reference.py)."""

    def __init__(self, path):
        import tokenize_reference as tr
        meta = tr.read_metadata(path)
        v = tr.read_vocab(path)
        self.tok = tr.byte_level_tokenizer(v) if v["model"] == "gpt2" else tr.sentencepiece_tokenizer(v)
        self.tok.add_tokens([t for _, t in tr.added_tokens(v)])
        self.bos = [v["bos"]] if meta.get("tokenizer.ggml.add_bos_token", False) else []
        self.size = self.tok.get_vocab_size(with_added_tokens=True)

    def encode(self, text):
        return self.bos + self.tok.encode(text, add_special_tokens=False).ids

    def decode(self, ids):
        return self.tok.decode(ids, skip_special_tokens=False)


class JsonTokenizer:
    def __init__(self, path):
        from tokenizers import Tokenizer
        self.tok = Tokenizer.from_file(path)
        self.size = self.tok.get_vocab_size(with_added_tokens=True)

    def encode(self, text):
        return self.tok.encode(text).ids  # the post-processor adds BOS where the model wants it

    def decode(self, ids):
        return self.tok.decode(ids, skip_special_tokens=False)


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


# ---------------------------------------------------------------- comparing

_generated = {}


def generate(pm, ids, steps, pickable, path=None, all_logits=True):
    """rf.generate, computed once per question: a folder and its GGUF usually ask the
    reference the same one (same tokens, same path, same steps)."""
    key = (id(pm), tuple(ids), steps, tuple(path or ()), all_logits)
    if key not in _generated:
        _generated[key] = rf.generate(pm, ids, steps, path=path, all_logits=all_logits, pickable=pickable)
    return _generated[key]


def row_stats(a, b):
    """Per row: max |a - b| and cosine similarity."""
    diff = np.abs(a.astype(np.float64) - b).max(axis=1)
    cos = (a.astype(np.float64) * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return diff, cos


class Tolerance:
    def __init__(self, max_abs, min_cos, why, mean_square=None, ms_factor=None):
        self.max_abs, self.min_cos, self.why = max_abs, min_cos, why
        # Q8_0 and rounded caches: the rounding effect's mean square, pooled over the rows, and
        # how many times it lmc's may be
        self.mean_square, self.ms_factor = mean_square, ms_factor


def compared_rows(n_prompt, n_rows):
    return np.r_[0:n_prompt, n_prompt:min(n_rows, n_prompt + DECODE_ROWS_COMPARED)]


def q8_tolerance(mirror, unrounded, rows):
    """From the effect of input rounding on the reference itself (see the module doc)."""
    diff, _ = row_stats(mirror[rows], unrounded[rows])
    ms = float(np.mean((mirror[rows].astype(np.float64) - unrounded[rows]) ** 2))
    return Tolerance(Q8_ABS_FACTOR * float(diff.max()), Q8_MIN_COS,
                     f"input-rounding effect max|d| {float(diff.max()):.4g}, mean square {ms:.3g}", ms, Q8_MS_FACTOR)


def cache_tolerance(mirror, unrounded, rows):
    """From the effect of the KV cache's rounding on the reference itself (see the module doc)."""
    diff, cos = row_stats(mirror[rows], unrounded[rows])
    ms = float(np.mean((mirror[rows].astype(np.float64) - unrounded[rows]) ** 2))
    return Tolerance(max(F32_MAX_ABS, CACHE_ABS_FACTOR * float(diff.max())),
                     min(F32_MIN_COS, 1 - CACHE_ABS_FACTOR * (1 - float(cos.min()))),
                     f"cache-rounding effect max|d| {float(diff.max()):.4g}, mean square {ms:.3g}, "
                     f"min cos {float(cos.min()):.7f}", ms, CACHE_MS_FACTOR)


def check_tokens(ref, lmc_logits, first_row, path, tol, label, notes, pickable):
    """lmc's greedy tokens against the reference's argmax (over the first `pickable` ids) on
    the same path."""
    for i, token in enumerate(path):
        row = first_row + i
        best = int(np.argmax(ref[row, :pickable]))
        if best == token:
            continue
        margin = float(ref[row, best] - ref[row, token])
        rowdiff = float(np.abs(ref[row] - lmc_logits[row]).max())
        allowed = 2 * min(rowdiff, tol.max_abs)
        if margin > allowed:
            raise Failure(f"{label}: greedy token {i}: lmc chose {token}, the reference {best} by a margin of "
                          f"{margin:.4g} (> {allowed:.4g}, twice the row's difference)")
        notes.append(f"near-tie at token {i}: lmc {token}, reference {best}, reference margin {margin:.3g} "
                     f"<= {allowed:.3g}")


def compare_run(label, ids, lm, ref, tol, path, notes, pickable):
    n = len(ids)
    pre_d, pre_c = row_stats(lm[:n], ref[:n])
    dec = slice(n, min(len(lm), n + DECODE_ROWS_COMPARED))
    dec_d, dec_c = row_stats(lm[dec], ref[dec])
    d = np.concatenate([pre_d, dec_d])
    c = np.concatenate([pre_c, dec_c])
    result = dict(prefill_abs=float(pre_d.max()), prefill_cos=float(pre_c.min()),
                  decode_abs=float(dec_d.max()) if len(dec_d) else 0.0,
                  decode_cos=float(dec_c.min()) if len(dec_c) else 1.0)
    ms_ratio = None
    if tol.mean_square:
        rows = compared_rows(n, len(lm))
        ms_ratio = float(np.mean((lm[rows].astype(np.float64) - ref[rows]) ** 2)) / tol.mean_square
        result["ms_ratio"] = ms_ratio
    if d.max() > tol.max_abs or c.min() < tol.min_cos or (ms_ratio or 0) > (tol.ms_factor or 0):
        worst = int(np.argmax(d))
        raise Failure(f"{label}: logits differ: max|d| {d.max():.4g} at row {worst} (tolerance {tol.max_abs:.4g}), "
                      f"min cos {c.min():.7f} (tolerance {tol.min_cos:.7f})"
                      + (f", mean square {ms_ratio:.3g}x the rounding effect's (tolerance {tol.ms_factor}x)"
                         if ms_ratio is not None else "") + f"; {tol.why}")
    check_tokens(ref, lm, n - 1, path, tol, label, notes, pickable)
    return result


def first_text_difference(a, b):
    return next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))


def check_streamed_text(label, out, prompt, tok, path, eog_stop):
    shown = path[:-1] if eog_stop else path
    expected = prompt + tok.decode(shown) + "\n"
    if out != expected:
        at = first_text_difference(out, expected)
        raise Failure(f"{label}: lmc printed {out[at:at + 60]!r} at character {at}, expected "
                      f"{expected[at:at + 60]!r} (the prompt and the reference's decoding of its tokens)")


def check_plain_run(label, plain, prompt, ids, pm, tok, tol, notes):
    """lmc's plain run (the prompt in steps of up to step_tokens rows, only the last row's
    logits) against the reference's greedy generation computed the same way; returns how
    many tokens were compared."""
    out, _, decoded, _ = plain
    produced = decoded + 1
    eog_stop = produced < GREEDY_TOKENS  # the last token ended the generation, unprinted
    logits, greedy = generate(pm, ids, produced, tok.size, all_logits=False)
    text = out[len(prompt):]
    shown = produced - 1 if eog_stop else produced
    for i in range(shown):
        # A token may end inside a UTF-8 character, which lmc's stream decoder holds back.
        if not text.startswith(tok.decode(greedy[:i + 1]).rstrip("\ufffd")):
            # Where lmc chose a longer token (" mixture" for " mix"), the text still starts
            # with the reference's up to that token and departs one or two tokens later: the
            # choice that differs is the closest call among them.
            candidates = range(max(0, i - 2), i + 1)
            margins = {k: float(np.diff(np.sort(logits[k, :tok.size])[-2:])[0]) for k in candidates}
            k = min(margins, key=margins.get)
            if margins[k] > 2 * tol.max_abs:
                raise Failure(f"{label}: plain run: the text departs from the reference's greedy text at token {i} "
                              f"(reference margins {', '.join(f'{m:.4g}' for m in margins.values())} > "
                              f"{2 * tol.max_abs:.4g}):\n  lmc: {text!r}\n  ref: {tok.decode(greedy)!r}")
            notes.append(f"plain run: near-tie at token {k} (reference margin {margins[k]:.3g}); compared up to there")
            return k
    return shown


# ---------------------------------------------------------------- one model

def prepare(args, spec):
    """(weights path for the reference, the ways lmc is given the model, tokenizer). Each way
    is (label, lmc compile's model arguments, pipelines)."""
    gguf_pipelines = [p for p in args.pipelines if p in GGUF_PIPELINES]
    if spec.get("detect"):
        path, tok = checkpoint(args)
        ways = [("folder", [path], args.pipelines)]
        if not spec.get("folder_only"):
            ways.append(("gguf", [path + ".gguf"], gguf_pipelines))
        return path, ways, tok
    path, flags, tok = weights_of(args, spec)
    ways = [("", [os.path.join(SOURCE, spec["yaml"])] + flags, args.pipelines)]
    if spec.get("checkpoint_gguf"):
        ways.append(("gguf", [path + ".gguf"], gguf_pipelines))
    return path, ways, tok


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
    return line, tol


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
        plan = rf.Q8Plan(keep_source=quantized == "keep") if quantized else None
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
                    line, tol = verify_prompt(label, prompt, ids[k], runs[way, name, k], pm, unrounded, tolerance_of,
                                              tok, notes, spec.get("f32_max_abs", F32_MAX_ABS))
                    if k == len(spec["prompts"]) - 1:
                        plain = runs[way, name, "plain"]
                        n = check_plain_run(label, plain, prompt, ids[k], pm, tok, tol, notes)
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
        _generated.clear()  # keyed by the prepared model's id, which a later one may reuse
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
