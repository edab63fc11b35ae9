#!/usr/bin/env python3
"""lmc perplexity end to end on the real SmolLM2 and Gemma 3 270M files, scoring the GNU GPL
3's text (/usr/share/common-licenses/GPL-3, from Debian's base-files, on every Debian system):

  * at F32 (pipeline none) its perplexity is the numpy reference's, computed the way
    llama-perplexity does (chunks of -c tokens from an empty cache, BOS first when the
    model wants it, the second half of each chunk scored), on the reference tokenizer's
    token ids;
  * --kl-base: the base's perplexity is the base run alone, the model's is the model run
    alone; a pipeline against itself diverges by exactly nothing; the default pipeline
    against F32 diverges a little (the kept 4-bit blocks, int8 input rows, an F16 cache);
  * bad input (a short text, a missing file, a flag that does not apply) is one clear error.

  test_perplexity.py --lmc BUILD/tools/lmc [unittest options]
"""
import argparse
import json
import math
import os
import subprocess
import sys
import unittest

import numpy as np

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(SOURCE, "tests", "reference"))
import reference_forward as rf  # noqa: E402

SMOLLM = os.path.join(SOURCE, "models", "weights", "SmolLM2-135M-Instruct.Q4_1.gguf")
GEMMA = os.path.join(SOURCE, "models", "weights", "gemma-3-270m-q4_k_m.gguf")
TEXT = "/usr/share/common-licenses/GPL-3"
LMC = None


def lmc(*args):
    return subprocess.run([LMC, *args], capture_output=True, text=True, timeout=600)


def perplexity(model, *flags):
    r = lmc("perplexity", model, "-f", TEXT, "-t", "2", "-o", "json", *flags)
    if r.returncode != 0:
        raise AssertionError(f"lmc perplexity {model} {' '.join(flags)} failed:\n{r.stderr}")
    return json.loads(r.stdout)


def reference_tokens(path, text):
    import tokenize_reference as tr
    meta = tr.read_metadata(path)
    v = tr.read_vocab(path)
    tok = tr.byte_level_tokenizer(v) if v["model"] == "gpt2" else tr.sentencepiece_tokenizer(v)
    tok.add_tokens([t for _, t in tr.added_tokens(v)])  # Gemma's runs of spaces, matched before the rest
    bos = v["bos"] if meta.get("tokenizer.ggml.add_bos_token", False) else None
    ids = tok.encode(text, add_special_tokens=False).ids
    return ([bos] if bos is not None else []) + ids, bos


def reference_perplexity(path, ctx, chunks):
    """llama-perplexity's computation on the reference's F32 logits."""
    with open(TEXT, encoding="utf-8") as f:
        tokens, bos = reference_tokens(path, f.read())
    pm = rf.load_model(path).prepared(None)
    nll = []
    for c in range(chunks):
        chunk = list(tokens[c * ctx:(c + 1) * ctx])
        if bos is not None:
            chunk[0] = bos
        logits = rf.Session(pm).step(chunk).astype(np.float64)
        for j in range(ctx // 2, ctx - 1):
            row = logits[j]
            top = row.max()
            nll.append(top + math.log(np.exp(row - top).sum()) - row[chunk[j + 1]])
    return len(tokens), math.exp(sum(nll) / len(nll)), len(nll)


class Reference(unittest.TestCase):
    def check(self, path, ctx, chunks):
        got = perplexity(path, "--passes=none", "-c", str(ctx), "--chunks", str(chunks))
        n_tokens, ppl, scored = reference_perplexity(path, ctx, chunks)
        self.assertEqual(got["text_tokens"], n_tokens, "lmc and the reference tokenizer cut the text differently")
        self.assertEqual(got["scored_tokens"], scored)
        self.assertEqual(got["chunks"], chunks)
        print(f"{os.path.basename(path)}: lmc PPL {got['ppl']['value']:.6f}, reference {ppl:.6f}", file=sys.stderr)
        self.assertLess(abs(got["ppl"]["value"] - ppl) / ppl, 1e-4)
        self.assertGreater(got["ppl"]["error"], 0)

    @unittest.skipUnless(os.path.exists(SMOLLM), "SmolLM2 weights are absent")
    def test_smollm2_f32_is_the_references(self):
        self.check(SMOLLM, 128, 3)

    @unittest.skipUnless(os.path.exists(GEMMA), "Gemma 3 weights are absent")
    def test_gemma3_f32_is_the_references(self):
        # Gemma wants BOS: each chunk's first token is replaced by it.
        self.check(GEMMA, 64, 2)


@unittest.skipUnless(os.path.exists(SMOLLM), "SmolLM2 weights are absent")
class AgainstBase(unittest.TestCase):
    FLAGS = ("-c", "128", "--chunks", "3")

    def test_default_against_f32(self):
        both = perplexity(SMOLLM, *self.FLAGS, "--kl-base=none")
        alone = perplexity(SMOLLM, *self.FLAGS)
        f32 = perplexity(SMOLLM, *self.FLAGS, "--passes=none")
        c = both["against_base"]
        self.assertEqual(both["base_pipeline"], "none")
        self.assertAlmostEqual(both["ppl"]["value"], alone["ppl"]["value"], places=9)
        self.assertAlmostEqual(c["base_ppl"]["value"], f32["ppl"]["value"], places=9)
        self.assertAlmostEqual(c["ln_ppl_ratio"]["value"],
                               math.log(both["ppl"]["value"] / c["base_ppl"]["value"]), places=9)
        # The default keeps the file's Q4_1 blocks and rounds input rows to int8: close to
        # F32, not equal to it.
        self.assertGreater(c["kld"]["value"], 1e-6)
        self.assertLess(c["kld"]["value"], 0.05)
        self.assertGreater(c["same_top"]["value"], 0.9)
        self.assertLessEqual(c["kld_spread"]["median"], c["kld_spread"]["p99"])
        self.assertLessEqual(c["kld_spread"]["p99"], c["kld_spread"]["max"])

    def test_a_pipeline_against_itself_diverges_by_nothing(self):
        c = perplexity(SMOLLM, *self.FLAGS, "--kl-base=default")["against_base"]
        self.assertEqual(c["kld"]["value"], 0)
        self.assertEqual(c["kld_spread"]["max"], 0)
        self.assertEqual(c["same_top"]["value"], 1)
        self.assertEqual(c["delta_p"]["value"], 0)
        self.assertEqual(c["ln_ppl_ratio"]["value"], 0)

    def test_llama_perplexity_flags_are_noted(self):
        # llama-perplexity's -ngl, --kl-divergence-base and --hellaswag run, each noted once.
        r = lmc("perplexity", SMOLLM, "-f", TEXT, "-t", "2", *self.FLAGS, "-ngl", "99", "--kl-divergence-base",
                os.devnull, "--hellaswag")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"\nPPL = \d+\.\d{4} \+/- \d+\.\d{4}\n")
        for flag in ("--n-gpu-layers", "--kl-divergence-base", "--hellaswag"):
            self.assertEqual(r.stderr.count(f"lmc: {flag} does nothing here: "), 1, r.stderr)

    def test_text_output(self):
        r = lmc("perplexity", SMOLLM, "-f", TEXT, "-t", "2", *self.FLAGS, "--kl-base=none")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"^\[1\]\d+\.\d{4},\[2\]\d+\.\d{4},\[3\]\d+\.\d{4},")
        self.assertRegex(r.stdout, r"\nPPL = \d+\.\d{4} \+/- \d+\.\d{4}\n")
        for line in ("base PPL", "KL divergence", "same top token", "delta p"):
            self.assertIn(line, r.stdout)


@unittest.skipUnless(os.path.exists(SMOLLM), "SmolLM2 weights are absent")
class BadInput(unittest.TestCase):
    def fails(self, code, pattern, *args):
        r = lmc("perplexity", *args)
        self.assertEqual(r.returncode, code, r.stderr)
        self.assertRegex(r.stderr, pattern)
        self.assertEqual(r.stdout, "")
        self.assertNotIn("internal error", r.stderr)

    def test_a_text_shorter_than_two_chunks(self):
        self.fails(1, r"the text is \d+ tokens; it needs at least 16384 \(two chunks of 8192\)",
                   SMOLLM, "-f", TEXT, "-c", "8192")

    def test_a_missing_text(self):
        self.fails(1, r"^/no/such\.txt: error: cannot read the text", SMOLLM, "-f", "/no/such.txt")

    def test_flags(self):
        self.fails(2, r"give the text to score with -f FILE", SMOLLM)
        self.fails(2, r"-o must be text or json", SMOLLM, "-f", TEXT, "-o", "xml")
        self.fails(2, r"--chunks", SMOLLM, "-f", TEXT, "--chunks", "0")


def main():
    global LMC
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    args, rest = ap.parse_known_args()
    LMC = os.path.abspath(args.lmc)
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
