"""How verify_logits.py (and verify_batch.py) hold lmc's logits and greedy tokens to the
numpy reference's: the tolerances, per row max |diff| and cosine, the greedy tokens up to a
near-tie, the streamed text, the plain run's greedy text, and the reference's generation
computed once per question.

Tolerances (justification):
  * F32 pipelines (none, f32-fused, and each fusion alone): max |diff| <= 1e-3 (1e-4 for Gemma 2) and cosine >= 1 - 1e-6. Both sides
    compute the same math in f32 (the reference in f32 matrix products, norms, softmax and
    RoPE in f64); they differ only by rounding order: a K-term dot product differs by about
    sqrt(K) * 2^-24 relative, and ~30 normalized residual layers do not amplify it much.
    Measured on the real models: 3e-5 (Gemma 3 270M) and 7e-5 (SmolLM2) with logits up to
    ~40, so 1e-3 leaves >10x headroom while a real error (a wrong RoPE base or pairing, a
    norm offset, an attention window off by one, a wrong scale) moves logits by >= 0.1.
  * Quantized (default and requantize pipelines): the reference mirrors lmc's decisions
    (quant_mirror.Q8Plan: the blocks a file stores kept exact by default, the other
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
    each key and value row as lmc's cache stores it (quant_mirror.cache_round_trip),
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
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference"))
import reference_forward as rf  # noqa: E402

GREEDY_TOKENS = 32
DECODE_ROWS_COMPARED = 16

F32_MAX_ABS = 1e-3
F32_MIN_COS = 1 - 1e-6
Q8_ABS_FACTOR = 2.0
Q8_MS_FACTOR = 4.0
Q8_MIN_COS = 0.98
CACHE_ABS_FACTOR = 1.5
CACHE_MS_FACTOR = 0.5


class Failure(Exception):
    pass


_generated = {}


def generate(pm, ids, steps, pickable, path=None, all_logits=True):
    """rf.generate, computed once per question: a folder and its GGUF usually ask the
    reference the same one (same tokens, same path, same steps)."""
    key = (id(pm), tuple(ids), steps, tuple(path or ()), all_logits)
    if key not in _generated:
        _generated[key] = rf.generate(pm, ids, steps, path=path, all_logits=all_logits, pickable=pickable)
    return _generated[key]


def forget_generated():
    """Drops the answers kept: they are keyed by a prepared model's id, which a later one may reuse."""
    _generated.clear()




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


def reference_greedy(pm, ids, steps, pickable, path):
    """The reference's own greedy generation of `steps` tokens after the prompt: (the logits
    rows that chose them, the tokens). Its rows along lmc's path (teacher forcing), computed
    for the logits run, are its own greedy rows for as long as its choices are that path's,
    through the first that is not; only past them is it generated again, a token a step."""
    rows, _ = generate(pm, ids, len(path), pickable, path=path)
    rows = rows[len(ids) - 1:]
    choices = [int(t) for t in np.argmax(rows[:, :pickable], axis=1)]
    own = next((i + 1 for i, (c, p) in enumerate(zip(choices, path)) if c != p), len(choices))
    if steps <= own:
        return rows[:steps], choices[:steps]
    return generate(pm, ids, steps, pickable, all_logits=False)


def check_plain_run(label, plain, prompt, ids, pm, tok, tol, notes, path):
    """lmc's plain run (the prompt in steps of up to step_tokens rows, only the last row's
    logits) against the reference's greedy generation (reference_greedy; `path` is lmc's
    logits run's); returns how many tokens were compared."""
    out, _, decoded, _ = plain
    produced = decoded + 1
    eog_stop = produced < GREEDY_TOKENS  # the last token ended the generation, unprinted
    logits, greedy = reference_greedy(pm, ids, produced, tok.size, path)
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
