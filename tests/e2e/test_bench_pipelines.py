#!/usr/bin/env python3
"""lmc bench MODEL --vs-pipeline=B: two pipelines of one model compiled, checked to agree
on their first step's logits, timed turn about and profiled kernel by kernel. On SmolLM2-135M
(models/llama.yaml) with few and short runs (-r 1, -p 8, -n 4): what is checked is what the
command reports, never how fast anything ran.

  test_bench_pipelines.py --lmc BUILD/tools/lmc --work-dir DIR [unittest options]
"""
import itertools
import json
import os
import re
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_common as cli  # noqa: E402
from cli_common import LLAMA_GGUF, LLAMA_YAML, lmc, needs  # noqa: E402

SHORT = ("-t", "1", "-r", "1", "-p", "8", "-n", "4")
# The default pipeline without the pass that stacks the gate and up projections: B runs
# them as two linears and keeps the activation's multiply apart.
ONE_SHORT = "default,-fuse-gate-up"


def rank_test_p(a, b):
    """Mann-Whitney's two-sided p by counting every split of the pooled values (ties at
    their mid-rank): what lmc bench computes, written independently."""
    pooled = sorted(a + b)
    def rank(v):
        first = pooled.index(v)
        return first + 1 + (pooled.count(v) - 1) / 2
    ranks = [rank(v) for v in a + b]
    mean = len(a) * (len(pooled) + 1) / 2
    far = abs(sum(ranks[:len(a)]) - mean) - 1e-9
    splits = list(itertools.combinations(ranks, len(a)))
    return sum(abs(sum(s) - mean) >= far for s in splits) / len(splits)


def bench(*flags):
    return lmc("bench", LLAMA_YAML, *SHORT, *flags)


@needs(LLAMA_GGUF)
class VsPipeline(unittest.TestCase):

    def test_a_pipeline_one_pass_short_agrees_and_differs_in_kernels(self):
        r = bench(f"--vs-pipeline={ONE_SHORT}")
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        self.assertIn("pipeline A: default\n", out)
        self.assertIn(f"pipeline B: {ONE_SHORT}\n", out)
        self.assertRegex(out, r"agreement: agree: the first step's logits \(8 prompt rows\) of B against A: "
                              r"max_abs=\S+ max_rel=\S+ cosine=\S+ tolerance 0.001\n")
        for test in ("pp8", "tg4"):
            row = re.search(rf"^{test} +([\d.]+) \(([\d.]+)-([\d.]+)\) +([\d.]+) \(([\d.]+)-([\d.]+)\) +([\d.]+) +"
                            r"1 +(within noise|inconclusive: run with -r \d+)$", out, re.M)
            self.assertIsNotNone(row, out)
            a, b, ratio = float(row.group(1)), float(row.group(4)), float(row.group(7))
            self.assertGreater(a, 0)
            self.assertAlmostEqual(ratio, b / a, delta=0.002 + 0.01 * ratio)
        # One turn of each: no rank test can tell them apart, and the verdict says so, with
        # the turns that could (at least the 5 a rank test needs to reach 0.025).
        runs = re.search(r"^verdict: inconclusive: run with -r (\d+): a rank test over 1 turn\(s\) of each cannot "
                         r"reach p < 0.025$", out, re.M)
        self.assertIsNotNone(runs, out)
        self.assertGreaterEqual(int(runs.group(1)), 5)
        table = out.split("\nkernels: ")[1].splitlines()[2:]
        # The last row totals each pipeline's calls and milliseconds.
        total = re.fullmatch(r"total +(\d+) +(\d+) +([\d.]+) +([\d.]+) +([+-][\d.]+)", table.pop())
        self.assertIsNotNone(total, out)
        spread = r"([\d.]+) \([\d.]+-[\d.]+\)"
        row = re.compile(rf"(\S+) +(both|only in A|only in B) +(\d+) +(\d+) +(?:{spread}|-) +(?:{spread}|-) +"
                         r"([+-][\d.]+) ([\d.e-]+) +(\S.*)")
        kernels = [row.fullmatch(line) for line in table]
        self.assertTrue(kernels and all(kernels), table)
        self.assertEqual({k.group(2) for k in kernels}, {"both", "only in A", "only in B"}, out)
        for k in kernels:
            calls_a, calls_b, ms_a, ms_b, diff = k.group(3, 4, 5, 6, 7)
            ms_a, ms_b = ms_a or "-", ms_b or "-"
            self.assertEqual(float(k.group(8)), 1.0)  # one run each: p is 1
            self.assertEqual(calls_a == "0", k.group(2) == "only in B", k.group(0))
            self.assertEqual(calls_b == "0", k.group(2) == "only in A", k.group(0))
            self.assertEqual(ms_a == "-", calls_a == "0")
            self.assertEqual(ms_b == "-", calls_b == "0")
            a, b = (0.0 if ms == "-" else float(ms) for ms in (ms_a, ms_b))
            self.assertAlmostEqual(float(diff), b - a, delta=0.0011)
        sums = [0, 0, 0.0, 0.0]
        for k in kernels:
            sums[0] += int(k.group(3))
            sums[1] += int(k.group(4))
            sums[2] += float(k.group(5) or 0)
            sums[3] += float(k.group(6) or 0)
        self.assertEqual([int(total.group(1)), int(total.group(2))], sums[:2], out)
        self.assertAlmostEqual(float(total.group(3)), sums[2], delta=0.001 * len(kernels) + 0.001)
        self.assertAlmostEqual(float(total.group(4)), sums[3], delta=0.001 * len(kernels) + 0.001)
        # A stacks gate and up into one projection with the activation in the down
        # projection's prologue; B, without fuse-gate-up, keeps two projections.
        only_a = " ".join(k.group(9) for k in kernels if k.group(2) == "only in A")
        self.assertIn("fusion(split, silu, mul, linear, add)", only_a)

    def test_json_and_report_carry_the_comparison(self):
        report = os.path.join(cli.WORK, "vs.html")
        r = bench(f"--vs-pipeline={ONE_SHORT}", "-o", "json", "--report", report)
        self.assertEqual(r.returncode, 0, r.stderr)
        c = json.loads(r.stdout)
        self.assertEqual((c["pipeline_a"], c["pipeline_b"]), ("default", ONE_SHORT))
        self.assertTrue(c["agreement"]["agree"])
        self.assertEqual(c["agreement"]["tokens"], 8)
        self.assertLessEqual(c["agreement"]["max_rel"], c["agreement"]["tolerance"])
        self.assertEqual([t["test"] for t in c["tests"]], ["pp8", "tg4"])
        for t in c["tests"]:
            for side in ("a", "b"):
                self.assertEqual(len(t[side]["samples"]), 1)
                self.assertEqual(t[side]["median"], t[side]["samples"][0])
            self.assertAlmostEqual(t["ratio"], t["b"]["median"] / t["a"]["median"], places=9)
        self.assertEqual({k["in"] for k in c["kernels"]}, {"both", "only in A", "only in B"})
        for k in c["kernels"]:
            self.assertAlmostEqual(k["diff_ms"], k["ms_b"] - k["ms_a"], places=9)
            self.assertEqual(k["calls_a"] == 0, k["in"] == "only in B")
            self.assertEqual(k["calls_b"] == 0, k["in"] == "only in A")
        # Ranked by p, then by the size of the difference.
        order = [(k["p"], -abs(k["diff_ms"])) for k in c["kernels"]]
        self.assertEqual(order, sorted(order))
        for k in c["kernels"]:
            self.assertEqual(len(k["runs_ms_a"]), 1)
            self.assertEqual(k["p"], 1)
        for t in c["tests"]:
            self.assertRegex(t["verdict"], r"^(within noise|inconclusive: run with -r \d+)$")
        self.assertTrue(c["verdict"].startswith("inconclusive: run with -r "), c["verdict"])
        # The compile report of B, with the comparison as a section.
        with open(report, encoding="utf-8") as f:
            page = f.read()
        self.assertIn('<section id="comparison">', page)
        self.assertIn('<a href="#comparison">pipelines compared</a>', page)
        self.assertIn('<p id="agreement" class="agree"><strong>agree</strong>', page)
        self.assertIn("<td>pp8</td>", page)
        self.assertIn("<td>only in A</td>", page)
        self.assertIn('<section id="passes">', page)
        self.assertIn('<section id="kernels">', page)

    def test_a_pass_file_loads_into_both_compiles(self):
        # fuse-norm-linear under another name, as a researcher's own pass file: A is the
        # default pipeline without the built-in, B puts the file's pass in its place.
        source = os.path.join(cli.SOURCE, "passes", "text", "builtin", "fuse_norm_linear.pass")
        with open(source, encoding="utf-8") as f:
            text = f.read()
        self.assertIn("\npass fuse-norm-linear\n", text)
        pass_file = os.path.join(cli.WORK, "my_norm_linear.pass")
        with open(pass_file, "w", encoding="utf-8") as f:
            f.write(text.replace("\npass fuse-norm-linear\n", "\npass my-norm-linear\n"))
        r = bench(f"--load-pass-file={pass_file}", "--pipeline=default,-fuse-norm-linear",
                  "--vs-pipeline=default,-fuse-norm-linear,after(fuse-down-act):my-norm-linear", "-o", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        c = json.loads(r.stdout)
        self.assertTrue(c["agreement"]["agree"])
        ops = {side: {k["op"] for k in c["kernels"] if k["in"] == side} for side in ("only in A", "only in B")}
        self.assertEqual(ops["only in B"], {"fusion(rms_norm, linear)"}, c["kernels"])
        self.assertEqual(ops["only in A"], {"rms_norm", "linear"}, c["kernels"])

    def test_pass_stats_of_both_pipelines_each_under_its_name(self):
        r = bench(f"--vs-pipeline={ONE_SHORT}", "--pass-stats")
        self.assertEqual(r.returncode, 0, r.stderr)
        err = r.stderr
        a = err.index("[pass-stats] pipeline A (default):\n")
        b = err.index(f"[pass-stats] pipeline B ({ONE_SHORT}):\n")
        self.assertLess(a, b, err)
        self.assertRegex(err[a:b], r"\[pass-stats\] fuse-gate-up: fused [1-9]\d* gate\+up pairs\n")
        self.assertNotIn("fuse-gate-up:", err[b:])
        self.assertIn("[pass-stats] fuse-qkv: ", err[b:])

    def test_a_pipeline_against_itself_runs_the_same_kernels_to_the_bit(self):
        r = bench("--vs-pipeline=default", "-o", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        c = json.loads(r.stdout)
        self.assertEqual(c["agreement"]["max_abs"], 0)
        self.assertEqual({k["in"] for k in c["kernels"]}, {"both"})
        self.assertTrue(all(k["calls_a"] == k["calls_b"] > 0 for k in c["kernels"]))

    def test_the_verdict_is_the_rank_test_of_the_turns(self):
        # Five turns each, so that a rank test can tell: whatever the machine did, every
        # figure's p and verdict, and the verdict line, are those of its printed samples.
        r = lmc("bench", LLAMA_YAML, "-t", "1", "-r", "5", "-p", "8", "-n", "4", "--vs-pipeline=default", "-o", "json")
        self.assertEqual(r.returncode, 0, r.stderr)
        c = json.loads(r.stdout)
        level = 0.05 / len(c["tests"])
        differ = []
        for t in c["tests"]:
            p = rank_test_p(t["a"]["samples"], t["b"]["samples"])
            self.assertAlmostEqual(t["p"], p, places=9)
            if p >= level:
                # Undecided: noise, or the turns that could decide (driver/report/turns_to_tell.h).
                self.assertRegex(t["verdict"], r"^(within noise|inconclusive: run with -r \d+)$")
            else:
                self.assertEqual(t["verdict"], "B faster" if t["ratio"] > 1 else "B slower")
                differ.append(t["test"])
        how = "(Mann-Whitney U over the turns of each, p < 0.025: 0.05 over 2 figures)"
        if differ:
            self.assertTrue(c["verdict"].startswith("the pipelines differ beyond noise: " + differ[0]), c["verdict"])
        elif any(t["verdict"].startswith("inconclusive") for t in c["tests"]):
            self.assertRegex(c["verdict"], r"^inconclusive: run with -r \d+: .* would need that many turns of each "
                                           r"to tell from the spread of the turns " + re.escape(how) + "$")
        else:
            self.assertEqual(c["verdict"], "the pipelines do not differ beyond noise: no figure's p is under 0.025 "
                                           + how)
        for k in c["kernels"]:
            self.assertAlmostEqual(k["p"], rank_test_p(k["runs_ms_a"], k["runs_ms_b"]), places=9)

    def test_a_disagreeing_pipeline_is_reported_and_not_timed(self):
        # The KV cache in 8-bit blocks against the default's f16: attention reads other
        # numbers, about 5 % of the logits' scale on this prompt, far past 0.001.
        vs = "--vs-pipeline=default,kv-cache-type{type=q8_0}"
        r = bench(vs)
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertRegex(r.stdout, r"agreement: disagree: .* tolerance 0.001\n")
        self.assertNotIn("tg4", r.stdout)
        self.assertIn("the pipelines disagree: not timed (--allow-disagree", r.stderr)
        report = os.path.join(cli.WORK, "disagree.html")
        r = bench(vs, "--allow-disagree", "-o", "json", "--report", report)
        self.assertEqual(r.returncode, 0, r.stderr)
        c = json.loads(r.stdout)
        self.assertFalse(c["agreement"]["agree"])
        self.assertGreater(c["agreement"]["max_rel"], c["agreement"]["tolerance"])
        self.assertEqual([t["test"] for t in c["tests"]], ["pp8", "tg4"])
        with open(report, encoding="utf-8") as f:
            self.assertIn('<p id="agreement" class="disagree"><strong>disagree</strong>', f.read())

    def test_usage_errors(self):
        cases = [
            (("--vs-pipeline=default", "-t", "1,2"), "--vs-pipeline measures at one thread count: give -t N"),
            (("--pipeline=none",), "--pipeline applies to --vs-pipeline's comparison"),
            (("--vs-pipeline=default", "--spec"), "--vs-pipeline compares pipelines on pp and tg: not with --spec"),
            (("--vs-pipeline=default", "-o", "csv"), "--vs-pipeline prints a table or, with -o json"),
            (("--vs-pipeline=default", "--quant-min-dim=64"), "give pass options inside the pipeline"),
            (("--vs-pipeline=default,-fuse-qvk",), "--vs-pipeline: column 10: -fuse-qvk: no pass 'fuse-qvk' earlier "
                                                  "in the pipeline (did you mean 'fuse-qkv'?)"),
            (("--vs-pipeline=default", "--pipeline=nonee"), "--pipeline: column 1: unknown pass 'nonee'"),
        ]
        for flags, message in cases:
            r = bench(*flags)
            self.assertEqual(r.returncode, 2, (flags, r.stderr))
            self.assertIn(message, r.stderr, flags)


if __name__ == "__main__":
    cli.main("bench-pipelines")
