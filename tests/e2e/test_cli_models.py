#!/usr/bin/env python3
"""The lmc command line on its models, end to end: the KV cache's types, speculative
decoding (repeating text and a draft model), lmc bench's outputs, fused vs unfused
pipelines, weights (a GGUF, a Hugging Face folder) run by the model definition that serves
their architecture, and inspect. Its sibling test_cli.py runs the command line itself.

  test_cli_models.py --lmc BUILD/tools/lmc --work-dir DIR [unittest options]

Uses SmolLM2-135M (the smaller of the installed real models; Gemma 3 270M as a draft of
another vocabulary, for the GGUF that picks its definition and for `inspect` of a GGUF).
Tests that need a model's weights skip when they are absent.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_common as cli  # noqa: E402
from cli_common import (Artifact, GEMMA_GGUF, GEMMA_YAML, GPT2_YAML, LLAMA_GGUF, LLAMA_YAML, PROMPT, SOURCE, lmc,  # noqa: E402
                        needs)
import make_random_checkpoint  # noqa: E402

# Fused and unfused F32 pipelines compute the same sums in different orders (one GEMM over
# the concatenated QKV / gate+up weights instead of three / two, the activation applied
# inside the down projection instead of by its own kernel): f32 rounding only. Both are
# within 7e-5 of the numpy reference on this model (verify_logits.py), so 1e-3 is loose
# for rounding and far below what a wrong split, order or activation would move (>= 0.1).
FUSED_F32_TOLERANCE = 1e-3
# With Q8_0 weights the fused and unfused linears quantize the same f32 input rows (the
# fused activation is the same code as the elementwise kernel) and sum block products in
# exact integer arithmetic, so the int8 inputs, and hence the logits, agree to f32
# rounding as well; an input rounding the other way would show as >= 0.01.
FUSED_Q8_TOLERANCE = 1e-3


@needs(LLAMA_GGUF)
class CacheType(unittest.TestCase):
    """lmc run --cache-type: the KV cache in f16 (the default), q8_0 or f32, sized by its dtype;
    verify_logits.py checks each one's logits against the reference."""

    def kv_megabytes(self, *flags):
        r = lmc("run", LLAMA_GGUF, "-p", PROMPT, "-n", "8", "--remarks", *flags)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(PROMPT) and len(r.stdout) > len(PROMPT) + 8, r.stdout)
        return float(re.search(r"KV cache ([\d.]+) MB", r.stderr).group(1)), r.stderr

    def test_each_dtype_runs_and_sizes_its_cache(self):
        f32, _ = self.kv_megabytes("--cache-type=f32")
        f16, remarks = self.kv_megabytes()
        self.assertIn("remark: kv-cache-type: %", remarks)
        self.assertIn("-> f16", remarks)
        self.assertAlmostEqual(f16, f32 / 2, delta=0.1)
        q8, remarks = self.kv_megabytes("--cache-type=q8_0")
        self.assertIn("-> q8_0", remarks)
        self.assertAlmostEqual(q8, f32 * 34 / 128, delta=0.1)
        bad = lmc("run", LLAMA_GGUF, "-p", PROMPT, "--cache-type=q4_0")
        self.assertEqual(bad.returncode, 2)
        self.assertIn("--cache-type: expects one of f16|q8_0|f32, got 'q4_0'", bad.stderr)


@needs(LLAMA_GGUF)
class Speculative(unittest.TestCase):
    """--draft-max: the same greedy text in fewer steps when the text repeats itself."""

    def test_drafts_keep_the_text_and_save_steps(self):
        prompt = "def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a - b\n\ndef mul(a, b):\n   "
        plain = lmc("run", "-m", LLAMA_GGUF, "-p", prompt, "-n", "48")
        spec = lmc("run", "-m", LLAMA_GGUF, "-p", prompt, "-n", "48", "--draft-max", "3")
        self.assertEqual(spec.returncode, 0, spec.stderr)
        self.assertEqual(spec.stdout, plain.stdout)
        m = re.search(r"speculative decoding: (\d+) steps for (\d+) tokens; (\d+) of (\d+) drafted tokens kept",
                      spec.stderr)
        self.assertTrue(m, spec.stderr)
        steps, tokens, kept = int(m.group(1)), int(m.group(2)), int(m.group(3))
        self.assertEqual(tokens, 47)
        self.assertGreater(kept, 0)
        self.assertEqual(steps, tokens - kept)


@needs(LLAMA_GGUF, GEMMA_GGUF)
class DraftModel(unittest.TestCase):
    """--draft-model: a second model's greedy guesses, checked by the model: the same greedy
    text in fewer steps. The draft is SmolLM2 from its own q4_1 blocks, the model SmolLM2
    requantized to Q8_0: close enough to agree often, different enough to be rejected sometimes."""

    def test_guesses_keep_the_text_and_save_steps(self):
        draft = os.path.join(cli.WORK, "cli-draft-q4_1.lmc")
        target = os.path.join(cli.WORK, "cli-target-q8_0.lmc")
        for args in (["-o", draft], ["--requantize=q8_0", "-o", target]):
            r = lmc("compile", LLAMA_GGUF, *args)
            self.assertEqual(r.returncode, 0, r.stderr)
        prompt = "The three primary colors are"
        plain = lmc("run", target, "-p", prompt, "-n", "40")
        spec = lmc("run", target, "-p", prompt, "-n", "40", "--draft-max", "4", "--draft-model", draft)
        self.assertEqual(spec.returncode, 0, spec.stderr)
        self.assertEqual(spec.stdout, plain.stdout)
        m = re.search(r"speculative decoding: (\d+) steps for (\d+) tokens; (\d+) of (\d+) drafted tokens kept",
                      spec.stderr)
        self.assertTrue(m, spec.stderr)
        steps, tokens, kept, drafted = (int(g) for g in m.groups())
        self.assertEqual(tokens, 39)
        self.assertGreater(kept, tokens // 3)  # most steps keep a guess
        self.assertLess(kept, drafted)         # and some are rejected: the check is real
        self.assertEqual(steps, tokens - kept)

    def test_a_draft_with_another_vocabulary_is_an_error(self):
        r = lmc("run", LLAMA_GGUF, "-p", "hi", "--draft-max", "2", "--draft-model", GEMMA_GGUF)
        self.assertEqual(r.returncode, 1)
        self.assertIn(GEMMA_GGUF + ": error: the draft model's vocabulary has 262144 tokens, the model's 49152",
                      r.stderr)


@needs(LLAMA_GGUF)
class BenchOutput(unittest.TestCase):
    """lmc bench in llama-bench's formats: one record per figure, mean ± stddev, samples."""

    def bench(self, *flags):
        path, r = Artifact.get()
        self.assertEqual(r.returncode, 0, r.stderr)
        out = lmc("bench", path, "-t", "1", "-r", "2", "-n", "2", "-p", "8", *flags)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    LLAMA_BENCH_FIELDS = [
        "build_commit", "build_number", "cpu_info", "gpu_info", "backends", "model_filename", "model_type",
        "model_size", "model_n_params", "n_batch", "n_ubatch", "n_threads", "cpu_mask", "cpu_strict", "poll",
        "type_k", "type_v", "n_gpu_layers", "n_cpu_moe", "split_mode", "main_gpu", "no_kv_offload", "flash_attn",
        "devices", "tensor_split", "tensor_buft_overrides", "load_mode", "lazy_mode", "embeddings", "no_op_offload",
        "no_host", "repack", "fit_target", "fit_min_ctx", "n_prompt", "n_gen", "n_depth", "test_time", "avg_ns",
        "stddev_ns", "avg_ts", "stddev_ts"]

    def test_csv_jsonl_and_md_carry_the_same_figures(self):
        import csv
        lines = self.bench("-o", "csv").splitlines()
        self.assertEqual(lines[0], ",".join(self.LLAMA_BENCH_FIELDS), "llama-bench's CSV header")
        rows = list(csv.DictReader(lines))
        self.assertEqual([(r["n_prompt"], r["n_gen"], r["n_threads"]) for r in rows], [("8", "0", "1"), ("0", "2", "1")])
        for r in rows:
            self.assertGreater(float(r["avg_ts"]), 0)
            self.assertGreaterEqual(float(r["stddev_ts"]), 0)
            self.assertEqual(r["model_type"], "llama 256M Q4_1")  # as llama.cpp names SmolLM2's file
        records = [json.loads(line) for line in self.bench("-o", "jsonl").splitlines()]
        self.assertEqual([r["test"] for r in records], ["pp8", "tg2"])  # llama-bench's order
        for r in records:
            self.assertEqual(list(r)[:len(self.LLAMA_BENCH_FIELDS)], self.LLAMA_BENCH_FIELDS)
            self.assertEqual(len(r["samples_ts"]), 2)
            self.assertEqual(len(r["samples_ns"]), 2)
            self.assertAlmostEqual(r["avg_ts"], sum(r["samples_ts"]) / 2, places=6)
            self.assertIn(r["median_ts"], r["samples_ts"])
            tokens = r["n_prompt"] + r["n_gen"]
            self.assertAlmostEqual(r["avg_ns"], sum(tokens * 1e9 / ts for ts in r["samples_ts"]) / 2, delta=2)
        md = self.bench("-o", "md").splitlines()
        self.assertRegex(md[0], r"^\| model +\| +size \| +params \| backend +\| threads \| +test \| +t/s \| t/s \(median\) \|$")
        self.assertRegex(md[2], r"^\| llama 256M Q4_1 +\| +[\d.]+ MiB \| +[\d.]+ M \| CPU +\| +1 \| +pp8 \| +[\d.]+ ± [\d.]+ \| +[\d.]+ \|$")

    def test_json_reads_as_llama_benchs(self):
        # What a script written for `llama-bench -o json` does: jq '.[] | [.model_type, .n_prompt, .n_gen, .avg_ts]'.
        records = json.loads(self.bench("-o", "json"))
        self.assertIsInstance(records, list)
        self.assertEqual([[r["model_type"], r["n_prompt"], r["n_gen"]] for r in records],
                         [["llama 256M Q4_1", 8, 0], ["llama 256M Q4_1", 0, 2]])
        # The commit of the build, as `lmc --version` says it (git's short hash; "unknown" out of a repository).
        version = re.search(r"\(commit (\S+), build (\d+)\)", lmc("--version").stdout)
        self.assertTrue(version)
        self.assertRegex(version.group(1), r"^([0-9a-f]{8}\+?|unknown)$")
        for r in records:
            self.assertEqual((r["build_commit"], r["build_number"]), (version.group(1), int(version.group(2))))
            self.assertIsInstance(r["avg_ts"], float)
            self.assertIsInstance(r["cpu_strict"], bool)
            self.assertRegex(r["test_time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        own = json.loads(self.bench("-o", "lmc-json"))
        self.assertEqual([r["test"] for r in own["results"]], ["pp8", "tg2"])
        self.assertGreater(own["per_thread_count"][0]["read_bandwidth_bytes_per_s"], 0)

    def test_depth_applies_to_every_test_as_llama_bench(self):
        records = [json.loads(line) for line in self.bench("-d", "0,40", "-o", "jsonl").splitlines()]
        self.assertEqual([(r["test"], r["n_prompt"], r["n_gen"], r["n_depth"]) for r in records],
                         [("pp8", 8, 0, 0), ("tg2", 0, 2, 0), ("pp8 @ d40", 8, 0, 40), ("tg2 @ d40", 0, 2, 40)])
        self.assertRegex(self.bench("--depth=40", "-o", "table"), r"\n1 +40 +[\d.]+ +[\d.]+ ± ")

    def test_zero_leaves_a_test_out_and_pg_times_prompt_and_decode(self):
        records = [json.loads(line) for line in self.bench("-p", "0", "-pg", "8,2", "-pg", "4,1", "-o", "jsonl").splitlines()]
        self.assertEqual([(r["test"], r["n_prompt"], r["n_gen"]) for r in records],
                         [("tg2", 0, 2), ("pp8+tg2", 8, 2), ("pp4+tg1", 4, 1)])
        records = [json.loads(line) for line in self.bench("-n", "0", "-o", "jsonl").splitlines()]
        self.assertEqual([r["test"] for r in records], ["pp8"])
        self.assertRegex(self.bench("-n", "0", "-o", "table"), r"\n1 +0 +[\d.]+ +- +- +- +- +[\d.]+ ± ")
        path, _ = Artifact.get()
        for flags, message in ((["-n", "0", "-p", "0"], "nothing to measure"), (["-pg", "8"], "-pg expects PP,TG"),
                               (["-p", "100000"], "does not fit the context"), (["-d", "-1"], "non-negative")):
            r = lmc("bench", path, "-t", "1", "-r", "1", *flags)
            self.assertEqual(r.returncode, 2, r.stderr)
            self.assertIn(message, r.stderr)

    def test_markdown_by_default_ranges_sql_and_two_models_as_llama_bench(self):
        path, _ = Artifact.get()
        md = self.bench().splitlines()  # llama-bench's default: its markdown table
        self.assertRegex(md[0], r"^\| model +\| +size \|")
        self.assertEqual(len(md), 6)  # header, rule, pp8, tg2, a blank line, the build
        self.assertRegex(md[5], r"^build: ([0-9a-f]{8}\+?|unknown) \(\d+\)$")
        # -t 1-2 is 1,2; -p 4-16*2 is 4,8,16; -n 1-5+2 is 1,3,5 (one tg test: the last -n, as lmc's -n).
        records = [json.loads(line) for line in self.bench("-t", "1-2", "-p", "4-16*2", "-o", "jsonl").splitlines()]
        self.assertEqual([(r["n_threads"], r["test"]) for r in records],
                         [(t, test) for t in (1, 2) for test in ("pp4", "pp8", "pp16", "tg2")])
        sql = self.bench("-o", "sql").splitlines()
        self.assertEqual(sql[0], "CREATE TABLE IF NOT EXISTS llama_bench (")  # llama-bench's table
        self.assertIn("  build_commit TEXT,", sql)
        self.assertIn("  n_threads INTEGER,", sql)
        self.assertIn("  avg_ts REAL,", sql)
        inserts = [line for line in sql if line.startswith("INSERT INTO llama_bench (build_commit, build_number, ")]
        self.assertEqual(len(inserts), 2)
        self.assertIn("'llama 256M Q4_1'", inserts[0])
        # -m A -m B: both measured, one after the other, in one output (llama-bench's).
        both = lmc("bench", "-m", path, "-m", path, "-t", "1", "-r", "1", "-n", "2", "-p", "8", "-o", "json")
        self.assertEqual(both.returncode, 0, both.stderr)
        self.assertEqual([(r["model_filename"], r["test"]) for r in json.loads(both.stdout)],
                         [(path, "pp8"), (path, "tg2")] * 2)
        md = lmc("bench", "-m", path, "-m", path, "-t", "1", "-r", "1", "-n", "2", "-p", "0")
        self.assertEqual(len(md.stdout.splitlines()), 6, md.stdout)  # one header, a row per model, one footer
        bad = lmc("bench", path, "-t", "2-1", "-r", "1")
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertIn("ranges (FIRST-LAST", bad.stderr)

    def test_parallel_records_name_their_streams(self):
        records = json.loads(self.bench("--parallel", "1,2", "-o", "json"))
        self.assertEqual([(r["test"], r["n_parallel"]) for r in records], [("tg2", 1), ("tg2", 2)])
        table = self.bench("--parallel", "1,2", "-o", "table")
        self.assertRegex(table, r"\n1 +2 +[\d.]+ ± +[\d.]+ +[\d.]+ +[\d.]+ms +[\d.]+x\n")

    def test_spec_compares_with_plain_decoding_on_the_same_text(self):
        records = [json.loads(line) for line in self.bench("--spec=2", "-o", "jsonl").splitlines()]
        self.assertEqual([r["test"] for r in records], ["tg2 set", "tg2 set draft2"])
        table = self.bench("--spec", "-o", "table")
        self.assertIn("up to 3 drafted tokens a step", table)
        self.assertRegex(table, r"\n1 +[\d.]+ ± [\d.]+ +[\d.]+ ± [\d.]+ +[\d.]+x +\d+/\d+ +yes\n")


@needs(LLAMA_GGUF)
class FusedVersusUnfused(unittest.TestCase):
    def logits(self, passes, *flags):
        npy = os.path.join(cli.WORK, f"cli-{passes.replace(',', '_')}.npy")
        r = lmc("run", LLAMA_YAML, "--passes=" + passes, "--prompt", PROMPT, "--max-tokens", "16",
                "--logits-out", npy, *flags)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout, np.load(npy)

    def assert_same_run(self, label, tolerance, fused_args, plain_args):
        """The same text, and logits within `tolerance`, from the fused and unfused pipelines."""
        fused_text, fused = self.logits(*fused_args)
        plain_text, plain = self.logits(*plain_args)
        self.assertEqual(fused.shape, plain.shape)
        diff = float(np.abs(fused - plain).max())
        print(f"\nfused vs unfused {label} logits ({fused.shape[0]} rows): max |d| {diff:.3g} "
              f"(tolerance {tolerance})", file=sys.stderr)
        self.assertLessEqual(diff, tolerance)
        self.assertEqual(fused_text, plain_text)

    def test_fused_f32_pipeline_matches_unfused(self):
        self.assert_same_run("F32", FUSED_F32_TOLERANCE, ["fuse-qkv,fuse-gate-up,fuse-down-act"], ["none"])

    def test_fused_q8_pipeline_matches_unfused(self):
        # The default pipeline with its KV cache left f32, as the unfused one's: an f16 cache
        # would round the last-bit differences of fusion into whole f16 steps.
        self.assert_same_run("Q8_0", FUSED_Q8_TOLERANCE, ["default", "--cache-type=f32"],
                             ["quant-threshold,fold-weights,dce"])


class WeightsPickTheirDefinition(unittest.TestCase):
    """`lmc run FILE.gguf` / `lmc run HF_FOLDER` lower with the definition whose serves: names
    the weights' architecture, so they generate what the definition itself does."""

    def same_greedy_text(self, weights, definition, *flags, env=None):
        direct = lmc("run", weights, "--prompt", PROMPT, "--max-tokens", "4", *flags, env=env)
        via_yaml = lmc("run", definition, "--weights", weights, "--prompt", PROMPT, "--max-tokens", "4")
        self.assertEqual(direct.returncode, 0, direct.stderr)
        self.assertEqual(via_yaml.returncode, 0, via_yaml.stderr)
        self.assertGreater(len(direct.stdout.strip()), len(PROMPT))
        self.assertEqual(direct.stdout, via_yaml.stdout)
        return direct

    @needs(LLAMA_GGUF)
    def test_llama_gguf_runs_like_llama_yaml(self):
        r = self.same_greedy_text(LLAMA_GGUF, LLAMA_YAML)
        self.assertIn("lmc: SmolLM2-135M-Instruct.Q4_1: weights", r.stderr)  # named after the file

    @needs(GEMMA_GGUF)
    def test_gemma3_gguf_runs_like_gemma3_yaml(self):
        r = self.same_greedy_text(GEMMA_GGUF, GEMMA_YAML)
        # lmc's default context is smaller than the file's, for memory: it says so.
        self.assertIn("a context of 8192 positions, of the 32768 the model was trained for", r.stderr)

    @needs(GEMMA_GGUF)
    def test_c_0_is_the_files_context(self):
        # gemma3.context_length is 32768: -c 0 is that, as llama.cpp's, and asking for it warns of nothing.
        for flags in (["-c", "0"], ["-c", "32768"]):
            r = lmc("run", GEMMA_GGUF, "-p", PROMPT, "-n", "1", *flags)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("(context 32768)", r.stderr)
            self.assertNotIn("longer than", r.stderr)
            self.assertNotIn("of the 32768 the model was trained for", r.stderr)
        past = lmc("run", GEMMA_GGUF, "-p", PROMPT, "-n", "1", "-c", "40000")
        self.assertIn("is longer than the 32768 the model was trained for", past.stderr)

    @needs(LLAMA_GGUF)
    def test_compile_gguf_names_the_artifact_after_the_file(self):
        r = lmc("compile", LLAMA_GGUF, cwd=cli.WORK)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.exists(os.path.join(cli.WORK, "SmolLM2-135M-Instruct_Q4_1.lmc")), os.listdir(cli.WORK))

    def gpt2_folder(self):
        """A small random GPT-2 checkpoint (config.json model_type gpt2) in its own folder."""
        folder = cli.WORK + "-gpt2"
        shutil.rmtree(folder, ignore_errors=True)
        config = dict(make_random_checkpoint.GPT2, n_embd=64, n_layer=2, n_head=4, n_positions=64, n_ctx=64,
                      vocab_size=600)
        make_random_checkpoint.write_checkpoint(folder, "gpt2", config, seed=3)
        return folder

    def test_hf_folder_runs_like_gpt2_yaml(self):
        folder = self.gpt2_folder()
        r = self.same_greedy_text(folder, GPT2_YAML)
        self.assertIn(f"lmc: {os.path.basename(folder)}: weights", r.stderr)

    def test_models_dir_and_model_def_choose_the_definition(self):
        folder = self.gpt2_folder()
        empty = cli.WORK + "-no-definitions"
        os.makedirs(empty, exist_ok=True)
        r = lmc("run", folder, "--prompt", PROMPT, env={"LMC_MODELS_DIR": empty})
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"no model definition serves hf architecture 'gpt2' (config.json model_type); known: none in "
                      f"{empty};", r.stderr)
        self.same_greedy_text(folder, GPT2_YAML, "--model-def", GPT2_YAML, env={"LMC_MODELS_DIR": empty})

    def test_two_definitions_serving_one_architecture_are_an_error(self):
        folder = self.gpt2_folder()
        twice = cli.WORK + "-two-definitions"
        shutil.rmtree(twice, ignore_errors=True)
        os.makedirs(twice)
        for name in ("a.yaml", "b.yaml"):
            shutil.copy(GPT2_YAML, os.path.join(twice, name))
        r = lmc("run", folder, "--prompt", PROMPT, env={"LMC_MODELS_DIR": twice})
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr.strip(), f"{twice}/b.yaml: error: serves hf architecture 'gpt2', as {twice}/a.yaml "
                                           "does already")


class Inspect(unittest.TestCase):
    def test_inspect_yaml(self):
        if not os.path.exists(LLAMA_GGUF):
            self.skipTest(f"{LLAMA_GGUF} is absent")
        r = lmc("inspect", LLAMA_YAML)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("smollm2-135m", r.stdout)
        self.assertRegex(r.stdout, r"context \d+ tokens, at most \d+ per step")
        self.assertRegex(r.stdout, r"tokenizer: .*49152 tokens")
        self.assertIn('chat: chatml, system message "You are a helpful AI assistant named SmolLM', r.stdout)
        gguf = lmc("inspect", LLAMA_GGUF)
        self.assertIn('chat template: chatml, system message "You are a helpful AI assistant named SmolLM', gguf.stdout)

    def test_inspect_folder_shows_its_gguf_names(self):
        """A folder reads as the GGUF names its one definition uses (models/hf_names.cpp): the
        config's keys under the GGUF's, each tensor with what it is made of."""
        folder = cli.WORK + "-mixtral"
        shutil.rmtree(folder, ignore_errors=True)
        config = dict(make_random_checkpoint.KINDS["mixtral"][0], hidden_size=64, num_hidden_layers=1,
                      num_attention_heads=4, num_key_value_heads=2, intermediate_size=32, vocab_size=600,
                      num_local_experts=3, max_position_embeddings=64)
        make_random_checkpoint.write_checkpoint(folder, "mixtral", config, seed=4)
        r = lmc("inspect", folder)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout, r"read as GGUF \(models/hf_names\.cpp\):\n  general\.architecture +llama\n")
        self.assertRegex(r.stdout, r"\n  llama\.expert_count +3\n")
        self.assertRegex(r.stdout, r"\n  blk\.0\.attn_q\.weight +\[64,64\] +<- model\.layers\.0\.self_attn\.q_proj\.weight, "
                                   r"rows in RoPE's pairs\n")
        self.assertRegex(r.stdout, r"\n  blk\.0\.ffn_gate_exps\.weight +\[3,32,64\] +<- 3 experts' "
                                   r"model\.layers\.0\.block_sparse_moe\.experts\.0\.w1\.weight, \.\.\.\n")

    @needs(GEMMA_GGUF)
    def test_inspect_gguf(self):
        r = lmc("inspect", GEMMA_GGUF)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("gemma3", r.stdout)
        self.assertIn("token_embd.weight", r.stdout)
        self.assertRegex(r.stdout, r"tokenizer: llama, 262144 tokens")


    def test_inspect_gguf_names_every_tensor_type(self):
        """A GGUF with one tensor of every type lmc reads, each named after its type
        (tests/reference/dequant_reference.py synthetic)."""
        with tempfile.TemporaryDirectory() as outdir:
            subprocess.run([sys.executable, os.path.join(SOURCE, "tests", "reference", "dequant_reference.py"),
                            "synthetic", outdir], check=True)
            with open(os.path.join(outdir, "synthetic.txt")) as f:
                names = [line.split()[1] for line in f]
            r = lmc("inspect", "--tensors", os.path.join(outdir, "synthetic.gguf"))
        self.assertEqual(r.returncode, 0, r.stderr)
        for name in names:
            self.assertRegex(r.stdout, rf"\n  {name} +{name} +\[8,\d+\] +\d+\n")
        self.assertIn(f"total: {len(names)} tensors", r.stdout)


if __name__ == "__main__":
    cli.main("cli-models")
