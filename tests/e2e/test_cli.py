#!/usr/bin/env python3
"""The lmc command line end to end, as a user meets it: compile, run, profile, trace,
the modules each command loads, kernels seen by perf and gdb, llama.cpp's flags and habits,
thread-count determinism, and exit codes (an error's escaped name keeps its reason). Its sibling test_cli_models.py runs what the
models do: KV cache types, speculative decoding, bench, fused vs unfused pipelines, weights
(a GGUF, a Hugging Face folder) run by the model definition that serves their architecture,
and inspect.

  test_cli.py --lmc BUILD/tools/lmc --work-dir DIR [unittest options]

Uses SmolLM2-135M (the smaller of the installed real models). Tests that need a model's
weights skip when they are absent.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cli_common as cli  # noqa: E402
from cli_common import Artifact, LLAMA_GGUF, LLAMA_YAML, PROMPT, lmc, needs  # noqa: E402


@needs(LLAMA_GGUF)
class CompileAndRun(unittest.TestCase):
    def test_compile_writes_artifact_and_summary(self):
        path, r = Artifact.get()
        self.assertEqual(r.returncode, 0, r.stderr)
        # 98 MB of packed weights: the file's q4_1 blocks kept (143 MB requantized to Q8_0).
        self.assertGreater(os.path.getsize(path), 90 << 20)
        # Written under a temporary name and renamed: nothing else is left beside it.
        self.assertEqual([f for f in os.listdir(cli.WORK) if f.startswith("cli-llama.lmc")], ["cli-llama.lmc"])
        for line in [f"lmc compile: {path}", "fused 30 QKV triples", "fused 30 gate+up pairs",
                     "quantized 1 linears F32 -> Q8_0, kept 0 F32 and 120 in the file's blocks",
                     "fused 30 down projections"]:
            self.assertIn(line, r.stderr)
        # Generated, or read from the kernel object cache when an earlier compile made the same kernels.
        self.assertRegex(r.stderr, r"\d+ kernels \(cpu=.*\) (in [\d.]+ s|from the kernel object cache); "
                                   r"packed [\d.]+ MB of weights; total [\d.]+ s")

    def test_run_streams_text_and_prints_summary_and_stats(self):
        path, _ = Artifact.get()
        r = lmc("run", path, "--prompt", PROMPT, "--max-tokens", "8")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(PROMPT), r.stdout)
        self.assertGreater(len(r.stdout.strip()), len(PROMPT))
        self.assertRegex(r.stderr, r"lmc: smollm2-135m: weights [\d.]+ MB, arena [\d.]+ MB, KV cache [\d.]+ MB "
                                   r"\(context \d+\), \d+ threads, ready in [\d.]+ s")
        self.assertRegex(r.stderr, r"lmc: prompt 5 tokens at [\d.]+ tok/s, time to first token \d+ ms; "
                                   r"decode 7 tokens at [\d.]+ tok/s")

    def test_mlock_locks_the_weights_or_says_why_not(self):
        path, _ = Artifact.get()
        plain = lmc("run", path, "--prompt", PROMPT, "--max-tokens", "4")
        locked = lmc("run", path, "--prompt", PROMPT, "--max-tokens", "4", "--mlock")
        self.assertEqual(locked.returncode, 0, locked.stderr)
        self.assertEqual(locked.stdout, plain.stdout)
        self.assertNotIn("locked in memory", plain.stderr)
        # Root may lock any amount; others are bound by RLIMIT_MEMLOCK, and then the run warns
        # and goes on unlocked, as llama.cpp's --mlock does.
        self.assertRegex(locked.stderr, r"lmc: smollm2-135m: [\d.]+ MB of weights locked in memory|"
                                        r"warning: smollm2-135m: cannot lock \d+ bytes of weights in memory")

    def test_run_reads_the_prompt_from_stdin(self):
        path, _ = Artifact.get()
        piped = lmc("run", path, "--max-tokens", "4", stdin=PROMPT + "\n")
        given = lmc("run", path, "--prompt", PROMPT, "--max-tokens", "4")
        self.assertEqual(piped.returncode, 0, piped.stderr)
        self.assertEqual(piped.stdout, given.stdout)

    def test_profile_prints_step_and_layer_tables(self):
        path, _ = Artifact.get()
        r = lmc("run", path, "--prompt", PROMPT, "--max-tokens", "3", "--profile")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("| Step | Embedding | Layers | Norm | Projection | Total |", r.stderr)
        self.assertRegex(r.stderr, r"\| Prefill \(5 rows\) \| [\d.]+ms \|")
        self.assertRegex(r.stderr, r"\| Token 7 \| ")
        self.assertIn("| Component | Avg per layer | % of Layer |", r.stderr)
        self.assertRegex(r.stderr, r"\| Attention \| [\d.]+ms \| \d+% \|")
        self.assertRegex(r.stderr, r"\| FFN \| [\d.]+ms \| \d+% \|")

    def test_trace_out_writes_chrome_trace_json(self):
        path, _ = Artifact.get()
        trace = os.path.join(cli.WORK, "cli-trace.json")
        r = lmc("run", path, "--prompt", PROMPT, "--max-tokens", "2", "--trace-out", trace)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(trace) as f:
            events = json.load(f)["traceEvents"]
        kernels = [e for e in events if e.get("cat") == "kernel"]
        steps = [e for e in events if e.get("cat") == "step"]
        self.assertEqual(len(steps), 2)  # the prefill and one decode step
        self.assertGreater(len(kernels), 30 * 2)  # at least one kernel per layer and step
        for e in kernels[:50]:
            self.assertEqual(e["ph"], "X")
            self.assertGreaterEqual(e["dur"], 0)
            self.assertIn("symbol", e["args"])

    def test_context_is_chosen_at_run_time(self):
        # One artifact, two KV cache sizes, no recompiling: the same logits, caches of their sizes.
        path, _ = Artifact.get()
        out = {}
        for n in ("2048", "16384"):
            npy = os.path.join(cli.WORK, f"cli-ctx{n}.npy")
            r = lmc("run", path, "--prompt", PROMPT, "--max-tokens", "16", "--ctx-size", n, "--logits-out", npy)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(f"(context {n})", r.stderr)
            out[n] = (r.stdout, np.load(npy), float(re.search(r"KV cache ([\d.]+) MB", r.stderr).group(1)))
        self.assertEqual(out["2048"][0], out["16384"][0])
        np.testing.assert_array_equal(out["2048"][1], out["16384"][1])
        self.assertAlmostEqual(out["16384"][2] / out["2048"][2], 8, delta=0.01)
        # Past the model's default context (8192) is allowed, with a warning.
        self.assertIn("longer than the model's default of 8192", r.stderr)

    def test_prompt_longer_than_the_context_is_one_error(self):
        path, _ = Artifact.get()
        r = lmc("run", path, "--prompt", PROMPT, "--ctx-size", "3")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(r.stderr.strip().split("\n")), 1, r.stderr)
        self.assertIn("the prompt is 5 tokens, more than the context of 3", r.stderr)

    def test_threads_do_not_change_greedy_output(self):
        path, _ = Artifact.get()
        out = {}
        for t in ("1", "2"):
            npy = os.path.join(cli.WORK, f"cli-threads{t}.npy")
            r = lmc("run", path, "--prompt", PROMPT, "--max-tokens", "24", "--threads", t, "--logits-out", npy)
            self.assertEqual(r.returncode, 0, r.stderr)
            out[t] = (r.stdout, np.load(npy))
        self.assertEqual(out["1"][0], out["2"][0])
        # Work is split by output columns and heads, never inside a sum: bit for bit.
        np.testing.assert_array_equal(out["1"][1], out["2"][1])


def loaded_libraries(*args):
    """The shared objects the dynamic loader opened for `lmc *args` (LD_DEBUG=files)."""
    r = lmc(*args, env={"LD_DEBUG": "files"})
    return r, set(re.findall(r"file=(\S+?)\s+\[\d+\];\s+(?:needed|dynamically loaded) by", r.stderr))


@needs(LLAMA_GGUF)
class ModulesLoadOnlyWhenNeeded(unittest.TestCase):
    """lmc loads its modules only for the commands that need them (support/shared_module.h):
    the code generator, and with it libLLVM, only when it compiles kernels (a run from an
    artifact sealed with the user's key links the artifact's object code with the kernel
    loader, whose few LLVM libraries are its own static copies); lmc serve's HTTP server
    only to serve; Open MPI only under mpirun with more than one rank."""

    def test_run_from_artifact_maps_no_compiler(self):
        path, compiled = Artifact.get()
        self.assertEqual(compiled.returncode, 0, compiled.stderr)
        r, libs = loaded_libraries("run", path, "--prompt", PROMPT, "--max-tokens", "4")
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertTrue(any("libtbb" in lib for lib in libs), libs)  # the loader's report was read
        self.assertTrue([lib for lib in libs if lib.endswith("liblmc-loader.so")], libs)
        others = {lib for lib in libs if not lib.endswith("liblmc-loader.so")}
        for heavy in ("LLVM", "liblmc-", "httplib", "libssl", "libcrypto", "libmpi", "libopen-pal"):
            self.assertFalse([lib for lib in others if heavy in lib], (heavy, libs))

    def test_compiling_loads_the_module(self):
        r, libs = loaded_libraries("compile", LLAMA_YAML, "-o", os.path.join(cli.WORK, "module-check.lmc"))
        self.assertEqual(r.returncode, 0, r.stderr[-2000:])
        self.assertTrue([lib for lib in libs if "liblmc-codegen.so" in lib], libs)
        self.assertTrue([lib for lib in libs if "libLLVM" in lib], libs)
        os.remove(os.path.join(cli.WORK, "module-check.lmc"))


@needs(LLAMA_GGUF)
class ProfilerAndDebuggerSeeKernels(unittest.TestCase):
    """The kernels are linked by LLVM ORC. With --perf-map (or LMC_PERF=1) lmc appends
    every kernel's address range and name to perf's map of JIT code, /tmp/perf-PID.map;
    with --debug-jit it registers them with GDB's JIT interface, so a backtrace inside a
    kernel names it. Without the flags nothing is written or registered."""

    @classmethod
    def setUpClass(cls):
        cls.path = os.path.join(cli.WORK, "jit.lmc")
        asm = os.path.join(cli.WORK, "jit-asm")
        r = lmc("compile", LLAMA_YAML, "-o", cls.path, "--dump-asm", asm)
        assert r.returncode == 0, r.stderr
        cls.kernels = {f[:-2] for f in os.listdir(asm) if f.endswith(".s")}
        shutil.rmtree(asm)

    def run_lmc(self, model, *flags, env=None):
        """Runs lmc; returns the path of the perf map its process would write."""
        environ = {k: v for k, v in os.environ.items() if k != "LMC_PERF"}
        p = subprocess.Popen([cli.LMC, "run", model, "-p", PROMPT, "-n", "2", *flags], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env={**environ, **(env or {})})
        _, err = p.communicate(timeout=600)
        self.assertEqual(p.returncode, 0, err[-2000:])
        return f"/tmp/perf-{p.pid}.map"

    def ranges(self, perf_map):
        self.assertTrue(os.path.exists(perf_map), perf_map)
        with open(perf_map) as f:
            lines = f.read().splitlines()
        os.remove(perf_map)
        ranges = {}
        for line in lines:
            start, size, name = line.split(" ", 2)
            ranges[name] = (int(start, 16), int(size, 16))
        self.assertEqual(len(ranges), len(lines), lines)
        return ranges

    def assert_names_every_kernel(self, perf_map):
        ranges = self.ranges(perf_map)
        self.assertEqual(set(ranges), self.kernels)
        spans = sorted(ranges.values())
        self.assertTrue(all(size > 0 for _, size in spans), spans)
        for (start, size), (following, _) in zip(spans, spans[1:]):
            self.assertLessEqual(start + size, following)

    def test_perf_map_names_every_kernel(self):
        self.assert_names_every_kernel(self.run_lmc(self.path, "--perf-map"))
        self.assert_names_every_kernel(self.run_lmc(self.path, env={"LMC_PERF": "1"}))

    def test_perf_map_of_kernels_compiled_in_process(self):
        self.assert_names_every_kernel(self.run_lmc(LLAMA_YAML, "--perf-map"))

    def test_no_perf_map_without_the_flag(self):
        self.assertFalse(os.path.exists(self.run_lmc(self.path)))

    def backtrace_at_kernel(self, *flags):
        kernel = sorted(self.kernels)[0]
        r = subprocess.run(["gdb", "-batch", "-nx", "-ex", "set breakpoint pending on", "-ex", f"break {kernel}",
                            "-ex", "run", "-ex", "bt 1", "-ex", "kill", "--args", cli.LMC, "run", self.path, "-p", PROMPT,
                            "-n", "1", "-t", "1", *flags], capture_output=True, text=True, timeout=600)
        return kernel, r.stdout + r.stderr

    def test_gdb_names_a_kernel_frame(self):
        kernel, out = self.backtrace_at_kernel("--debug-jit")
        self.assertRegex(out, rf"#0 +0x[0-9a-f]+ in {kernel} \(", out[-3000:])

    def test_gdb_sees_no_kernel_without_the_flag(self):
        kernel, out = self.backtrace_at_kernel()
        self.assertNotRegex(out, rf"#0 .* in {kernel} \(", out[-3000:])
        self.assertIn("exited normally", out)


@needs(LLAMA_GGUF)
class LlamaCppHabits(unittest.TestCase):
    """llama.cpp's spellings on run: -m -p -f -n -t -s, -n -1, --stop, did-you-mean."""

    def test_short_flags_are_the_long_ones(self):
        short = lmc("run", "-m", LLAMA_GGUF, "-p", PROMPT, "-n", "8", "-t", "2", "-s", "1", "--temp", "0.7")
        long = lmc("run", LLAMA_GGUF, "--prompt", PROMPT, "--max-tokens", "8", "--threads", "2", "--seed", "1",
                   "--temperature", "0.7")
        self.assertEqual(short.returncode, 0, short.stderr)
        self.assertEqual(short.stdout, long.stdout)

    def test_sampling_flags_and_a_random_seed(self):
        flags = ["--temp", "0.8", "--top-k", "40", "--typical", "0.9", "--presence-penalty", "0.5",
                 "--frequency-penalty", "0.2", "--repeat-last-n", "-1"]
        seeded = [lmc("run", "-m", LLAMA_GGUF, "-p", PROMPT, "-n", "8", "-s", "3", *flags) for _ in range(2)]
        self.assertEqual(seeded[0].returncode, 0, seeded[0].stderr)
        self.assertEqual(seeded[0].stdout, seeded[1].stdout)
        # -1: a random seed each run, as llama.cpp's: twelve tokens of an open prompt at temperature
        # 1.5 among 40 do not come out the same four times.
        texts = {lmc("run", "-m", LLAMA_GGUF, "-p", "My favourite", "-n", "12", "-s", "-1", "--temp", "1.5",
                     "--top-k", "40").stdout for _ in range(4)}
        self.assertGreater(len(texts), 1)
        # No seed while sampling: a random one, printed, that repeats the run when given back.
        drawn = lmc("run", "-m", LLAMA_GGUF, "-p", "My favourite", "-n", "12", "--temp", "1.5", "--top-k", "40")
        seed = re.search(r"^lmc: seed (\d+)$", drawn.stderr, re.M)
        self.assertTrue(seed, drawn.stderr)
        again = lmc("run", "-m", LLAMA_GGUF, "-p", "My favourite", "-n", "12", "--temp", "1.5", "--top-k", "40",
                    "--seed", seed.group(1))
        self.assertEqual(drawn.stdout, again.stdout)

    def test_llama_cpp_sampler_flags(self):
        """DRY, XTC, top-n-sigma, Mirostat and the chain's order as llama.cpp spells them: a
        seed repeats each run; DRY turns greedy away from a repeat; an unknown stage is a
        usage error naming it."""
        chains = [["--dry-multiplier", "0.8", "--dry-base", "1.75", "--dry-allowed-length", "2",
                   "--dry-penalty-last-n", "-1", "--dry-sequence-breaker", "\n", "--dry-sequence-breaker", ":",
                   "--xtc-probability", "0.5", "--xtc-threshold", "0.1", "--top-nsigma", "1.5",
                   "--samplers", "penalties;dry;top_n_sigma;top_k;typ_p;top_p;min_p;xtc;temperature"],
                  ["--mirostat", "2", "--mirostat-lr", "0.1", "--mirostat-ent", "5"],
                  ["--mirostat", "1"], ["--sampling-seq", "kxt", "--top-n-sigma", "2"]]
        for flags in chains:
            runs = [lmc("run", "-m", LLAMA_GGUF, "-p", PROMPT, "-n", "8", "-s", "3", "--temp", "0.8", *flags)
                    for _ in range(2)]
            self.assertEqual(runs[0].returncode, 0, runs[0].stderr)
            self.assertEqual(runs[0].stdout, runs[1].stdout, flags)
        counting = ["run", "-m", LLAMA_GGUF, "-p", "1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2,", "-n", "2", "--temp", "0"]
        plain, dry = lmc(*counting), lmc(*counting, "--dry-multiplier", "8")
        self.assertEqual((plain.returncode, dry.returncode), (0, 0), dry.stderr)
        self.assertTrue(plain.stdout.rstrip().endswith("1, 2, 3"), plain.stdout)
        self.assertNotEqual(plain.stdout, dry.stdout)
        bad = lmc("run", "-m", LLAMA_GGUF, "-p", PROMPT, "-n", "2", "--samplers", "top_k;nonsense")
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertIn("'nonsense'", bad.stderr)

    def test_escapes_system_prompt_and_context_as_llama_cpp(self):
        # -p's escapes are read (\n a newline) unless --no-escape, as llama-completion's; a system
        # prompt means a chat; -c 0 is the model's own context; -co takes its value.
        r = lmc("run", "-m", LLAMA_GGUF, "-p", r"a\nb\x41\q", "-n", "1", "--temp", "0", "-co", "on", "-tb", "2")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith("a\nbA\\q"), r.stdout)
        literal = lmc("run", "-m", LLAMA_GGUF, "-p", r"a\nb", "-n", "1", "--temp", "0", "--no-escape")
        self.assertTrue(literal.stdout.startswith(r"a\nb"), literal.stdout)
        system = lmc("run", "-m", LLAMA_GGUF, "-sys", "Answer in French.", "-p", "Hello", "-n", "6", "--temp", "0")
        chat = lmc("run", "-m", LLAMA_GGUF, "--chat", "-sys", "Answer in French.", "-p", "Hello", "-n", "6", "--temp", "0")
        self.assertEqual(system.returncode, 0, system.stderr)
        self.assertEqual(system.stdout, chat.stdout)
        whole = lmc("run", "-m", LLAMA_GGUF, "-p", PROMPT, "-n", "2", "-c", "0")
        self.assertEqual(whole.returncode, 0, whole.stderr)
        # The command line: -co stands alone before a flag and takes `on` after it; -sp
        # prints the special token that ends an answer.
        line = lmc("run", LLAMA_GGUF, "-co", "-sp", "-tb", "2", "-mli", "--color", "on", "-v", "-p", r"a\nb", "-n", "4")
        self.assertEqual(line.returncode, 0, line.stderr)
        self.assertTrue(line.stdout.startswith("a\nb"), line.stdout)
        special = lmc("run", "-m", LLAMA_GGUF, "-st", "-p", "Say hi.", "-n", "64", "--temp", "0", "-co", "-sp")
        plain = lmc("run", "-m", LLAMA_GGUF, "-st", "-p", "Say hi.", "-n", "64", "--temp", "0")
        self.assertEqual(special.stdout, plain.stdout[:-1] + "<|im_end|>\n")

    def test_llama_cpp_command_lines(self):
        # GPU flags are accepted and say once why they do nothing; llama.cpp's several-letter
        # single-dash names are read as what they stand for, not as -n p.
        r = lmc("run", "-m", LLAMA_GGUF, "-p", PROMPT, "-n", "6", "-ngl", "99", "-no-cnv", "--seed", "-1", "-fa", "on",
                "--no-mmap", "--jinja")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(r.stdout.startswith(PROMPT), r.stdout)
        for flag in ("--n-gpu-layers", "--flash-attn", "--no-conversation", "--no-mmap", "--jinja"):
            self.assertEqual(r.stderr.count(f"lmc: {flag} does nothing here: "), 1, r.stderr)
        hf = lmc("run", "-hf", "foo/bar", "-p", PROMPT)
        self.assertEqual(hf.returncode, 2)
        self.assertIn("-hf downloads a model from Hugging Face", hf.stderr)
        # Keys and values each in their own type, as llama-bench reports them.
        mixed = lmc("bench", "-m", LLAMA_GGUF, "-p", "0", "-n", "2", "-r", "1", "-ctk", "q8_0", "-ctv", "f16", "-o",
                    "json")
        self.assertEqual(mixed.returncode, 0, mixed.stderr)
        self.assertEqual({(r["type_k"], r["type_v"]) for r in json.loads(mixed.stdout)}, {("q8_0", "f16")})
        bench = lmc("bench", "-m", LLAMA_GGUF, "-p", "0", "-n", "4", "-pg", "8,2", "-r", "1", "-t", "1", "-ngl", "99",
                    "-fa", "1", "-o", "md")
        self.assertEqual(bench.returncode, 0, bench.stderr)
        self.assertEqual([line.split(" | ")[5].strip() for line in bench.stdout.splitlines()[2:4]], ["tg4", "pp8+tg2"])

    def test_reverse_prompt_display_and_turns(self):
        counting = "1, 2, 3,"
        stop = lmc("run", "-m", LLAMA_GGUF, "-p", counting, "-n", "20", "--stop", " 6")
        reverse = lmc("run", "-m", LLAMA_GGUF, "-p", counting, "-n", "20", "-r", " 6")
        self.assertEqual(reverse.returncode, 0, reverse.stderr)
        self.assertEqual(reverse.stdout, stop.stdout)
        hidden = lmc("run", "-m", LLAMA_GGUF, "-p", counting, "-n", "20", "-r", " 6", "--no-display-prompt")
        self.assertEqual(counting + hidden.stdout, stop.stdout)
        # -st: one turn in the chat format (as --chat), with -sys's system message.
        single = lmc("run", "-m", LLAMA_GGUF, "-p", "Say hi.", "-n", "8", "-cnv", "-st", "-sys", "Be brief.")
        chat = lmc("run", "-m", LLAMA_GGUF, "-p", "Say hi.", "-n", "8", "--chat", "--system", "Be brief.")
        self.assertEqual(single.returncode, 0, single.stderr)
        self.assertEqual(single.stdout, chat.stdout)
        # -cnv: each line of stdin is a message (as --interactive).
        turns = lmc("run", "-m", LLAMA_GGUF, "-n", "8", "-cnv", stdin="Say hi.\n")
        self.assertEqual(turns.returncode, 0, turns.stderr)
        self.assertIn("chatting in the", turns.stderr)
        # --ignore-eos: every one of -n tokens, past the end of the answer.
        eos = lmc("run", "-m", LLAMA_GGUF, "-p", "Say OK.", "-n", "40", "-st", "--ignore-eos")
        self.assertIn("decode 39 tokens", eos.stderr)

    def test_prompt_from_a_file(self):
        path = os.path.join(cli.WORK, "cli-prompt.txt")
        with open(path, "w") as f:
            f.write(PROMPT + "\n")
        from_file = lmc("run", "-m", LLAMA_GGUF, "-f", path, "-n", "4")
        given = lmc("run", "-m", LLAMA_GGUF, "-p", PROMPT, "-n", "4")
        self.assertEqual(from_file.returncode, 0, from_file.stderr)
        self.assertEqual(from_file.stdout, given.stdout)
        missing = lmc("run", "-m", LLAMA_GGUF, "-f", os.path.join(cli.WORK, "no-such-prompt.txt"))
        self.assertEqual(missing.returncode, 1)
        self.assertIn("no-such-prompt.txt: error: cannot read the prompt", missing.stderr)

    def test_until_end_of_text_and_stop_strings(self):
        # A chat turn, which the model ends: a plain continuation may run to the context.
        prompt = "<|im_start|>user\nWhich city is the capital of France?<|im_end|>\n<|im_start|>assistant\n"
        whole = lmc("run", "-m", LLAMA_GGUF, "-p", prompt, "-n", "-1")
        self.assertEqual(whole.returncode, 0, whole.stderr)
        decoded = int(re.search(r"decode (\d+) tokens", whole.stderr).group(1))
        self.assertLess(decoded, 8192)  # ended at the model's end of text, not at a token budget
        text = whole.stdout[len(prompt):]
        stop = text.strip().split()[1]  # a word greedy decoding reaches
        cut = lmc("run", "-m", LLAMA_GGUF, "-p", prompt, "-n", "-1", "--stop", stop)
        self.assertEqual(cut.returncode, 0, cut.stderr)
        # Printed up to the stop string and with it, as llama.cpp prints a reverse prompt.
        self.assertEqual(cut.stdout, prompt + text[:text.index(stop)] + stop + "\n")

    def test_round_three_command_lines(self):
        france = "The capital of France is"
        shown = lmc("run", "-m", LLAMA_GGUF, "-p", france, "-n", "4", "--temp", "0", "--display-prompt",
                    "--verbose-prompt")
        self.assertEqual(shown.returncode, 0, shown.stderr)
        self.assertTrue(shown.stdout.startswith(france), shown.stdout)  # --display-prompt shows it, as llama.cpp
        self.assertIn("lmc: number of tokens in prompt = ", shown.stderr)
        # -l ID-inf bans a token: the greedy answer's first, the argmax of the prompt's last logits row.
        npy = os.path.join(cli.WORK, "cli-france.npy")
        lmc("run", "-m", LLAMA_GGUF, "-p", france, "-n", "1", "--logits-out", npy)
        n_prompt = int(re.search(r"number of tokens in prompt = (\d+)", shown.stderr).group(1))
        first = int(np.argmax(np.load(npy)[n_prompt - 1]))
        banned = lmc("run", "-m", LLAMA_GGUF, "-p", france, "-n", "4", "--temp", "0", "-l", f"{first}-inf")
        self.assertEqual(banned.returncode, 0, banned.stderr)
        self.assertNotEqual(banned.stdout, shown.stdout)
        bad = lmc("run", "-m", LLAMA_GGUF, "-p", france, "-l", "12x")
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertIn("TOKEN+BIAS", bad.stderr)
        # Flags llama.cpp runs with are noted, never refused; -n -2 is to the context's end.
        noted = lmc("run", "-m", LLAMA_GGUF, "-p", france, "-n", "-2", "-c", "24", "--no-warmup", "--keep", "4",
                    "-fit", "off", "-dev", "none", "--no-context-shift", "--temp", "0")
        self.assertEqual(noted.returncode, 0, noted.stderr)
        for flag in ("--no-warmup", "--keep", "--fit", "--device", "--no-context-shift"):
            self.assertIn(f"lmc: {flag} does nothing here: ", noted.stderr)
        # A context that fills says so (-n -2 ran to it).
        self.assertIn("lmc: the context of 24 positions is full: generation stopped after", noted.stderr)
        version = lmc("run", "--version")
        self.assertEqual((version.returncode, version.stdout), (0, lmc("--version").stdout))
        # -sysf FILE is -sys with the file's text.
        path = os.path.join(cli.WORK, "cli-system.txt")
        with open(path, "w") as f:
            f.write("Answer in French.\n")
        sysf = lmc("run", "-m", LLAMA_GGUF, "-sysf", path, "-p", "Hello", "-n", "6", "--temp", "0")
        sys_ = lmc("run", "-m", LLAMA_GGUF, "-sys", "Answer in French.", "-p", "Hello", "-n", "6", "--temp", "0")
        self.assertEqual(sysf.returncode, 0, sysf.stderr)
        self.assertEqual(sysf.stdout, sys_.stdout)
        # -i -r: llama.cpp's raw transcript, not a chat: the prompt goes on, a line read is added to
        # it, and the model continues the same text.
        transcript = "A conversation.\nUser: Hello!\nBot: Hi. How can I help?\nUser:"
        raw = lmc("run", "-m", LLAMA_GGUF, "-i", "-r", "User:", "--in-suffix", "Bot:", "-p", transcript, "-n", "24",
                  "--temp", "0", stdin=" What is the capital of France?\n")
        self.assertEqual(raw.returncode, 0, raw.stderr)
        self.assertNotIn("chatting in", raw.stderr)
        self.assertIn("lmc: raw transcript", raw.stderr)
        asked = transcript + " What is the capital of France?\nBot:"
        self.assertTrue(raw.stdout.startswith(asked), raw.stdout)
        self.assertTrue(raw.stdout.rstrip("\n").endswith("User:"), raw.stdout)  # it stopped at the reverse prompt
        self.assertGreater(len(raw.stdout.rstrip("\n")), len(asked) + len("User:"), raw.stdout)
        self.assertNotIn("<|im_start|>", raw.stdout)

    def test_round_four_command_lines(self):
        # -n 0 generates nothing, even without -c, and shows no prompt (llama-completion's); lmc reads it.
        none = lmc("run", "-m", LLAMA_GGUF, "-p", PROMPT, "-n", "0")
        self.assertEqual(none.returncode, 0, none.stderr)
        self.assertEqual(none.stdout, "\n")
        self.assertIn("decode 0 tokens", none.stderr)
        # --temp -1 is greedy and --top-k -1 no limit, as llama.cpp reads them.
        greedy = lmc("run", "-m", LLAMA_GGUF, "-p", PROMPT, "-n", "6", "--temp", "0")
        below = lmc("run", "-m", LLAMA_GGUF, "-p", PROMPT, "-n", "6", "--temp", "-1", "--top-k", "-1")
        self.assertEqual(below.returncode, 0, below.stderr)
        self.assertEqual(below.stdout, greedy.stdout)
        # No command, as llama-cli is typed: lmc run, said once.
        bare = lmc("-m", LLAMA_GGUF, "-p", PROMPT, "-n", "6", "--temp", "0")
        self.assertEqual(bare.returncode, 0, bare.stderr)
        self.assertEqual(bare.stdout, greedy.stdout)
        self.assertIn("lmc: no command given: running 'lmc run'", bare.stderr)
        # An empty prompt starts from the beginning-of-text token (SmolLM2 adds none itself: said so).
        empty = lmc("run", "-m", LLAMA_GGUF, "-p", "", "-n", "4")
        self.assertEqual(empty.returncode, 0, empty.stderr)
        self.assertIn("lmc: the prompt is empty: generating from the beginning-of-text token '<|im_start|>'",
                      empty.stderr)
        # Dynamic temperature is taken; --rope-scale is noted (the file's RoPE scaling holds).
        dyn = lmc("run", "-m", LLAMA_GGUF, "-p", PROMPT, "-n", "4", "--temp", "0.8", "--dynatemp-range", "0.5",
                  "--dynatemp-exp", "2", "-s", "3", "--rope-scale", "2")
        self.assertEqual(dyn.returncode, 0, dyn.stderr)
        self.assertIn("lmc: --rope-scale does nothing here: lmc scales RoPE as the model file says", dyn.stderr)
        # -sysf drops the file's last newline only, as llama.cpp reads it.
        path = os.path.join(cli.WORK, "cli-system-lines.txt")
        with open(path, "w") as f:
            f.write("Be brief.\n\n")
        lines = lmc("run", "-m", LLAMA_GGUF, "-p", "Hi", "-n", "1", "-sysf", path, "--verbose-prompt")
        self.assertIn("system\nBe brief.\n<|im_end|>", lines.stderr)
        # A GGUF saved under another name is read as one; a file that is neither says so.
        renamed = os.path.join(cli.WORK, os.path.basename(LLAMA_GGUF)[:-len(".gguf")] + ".bin")  # its compile reused
        if not os.path.exists(renamed):
            os.symlink(LLAMA_GGUF, renamed)
        again = lmc("run", "-m", renamed, "-p", PROMPT, "-n", "6", "--temp", "0")
        self.assertEqual((again.returncode, again.stdout), (0, greedy.stdout), again.stderr)

    def test_unknown_flag_suggests_the_spelling(self):
        r = lmc("run", "-m", LLAMA_GGUF, "-p", PROMPT, "--top-q", "0.5")
        self.assertEqual(r.returncode, 2)
        self.assertIn("unknown option '--top-q' (did you mean '--top-k'?)", r.stderr)



class ExitCodes(unittest.TestCase):
    def expect(self, code, *args, message=None):
        r = lmc(*args)
        self.assertEqual(r.returncode, code, f"lmc {' '.join(args)}:\n{r.stdout}{r.stderr}")
        if message:
            self.assertRegex(r.stderr, message)
        return r

    def test_help_is_success(self):
        self.assertIn("usage: lmc", self.expect(0, "--help").stdout)
        for cmd in ("compile", "run", "inspect", "opt", "bench"):
            self.assertIn(f"usage: lmc {cmd}", self.expect(0, cmd, "--help").stdout)

    def test_usage_errors_are_2(self):
        self.expect(2)
        self.expect(2, "no-such-command", message="unknown command")
        self.expect(2, "run", message="expects one artifact")
        self.expect(2, "run", "a.lmc", "b.lmc", "--prompt", "x")
        self.expect(2, "run", "x.lmc", "--prompt", "x", "--max-tokens=many")
        self.expect(2, "run", "x.lmc", "--prompt", "x", "--no-such-flag")
        self.expect(2, "compile", LLAMA_YAML, "--passes=none", "--quant-min-dim=-3")
        # A typo in the pipeline is the user's, as one in --print-ir-after is.
        self.expect(2, "compile", LLAMA_YAML, "--passes=no-such-pass", "-o", os.path.join(cli.WORK, "x.lmc"),
                    message="no-such-pass")

    def test_errors_are_1_and_name_the_file(self):
        missing = os.path.join(cli.WORK, "no-such.lmc")
        self.expect(1, "run", missing, "--prompt", "x", message=re.escape(missing))
        self.expect(1, "compile", os.path.join(cli.WORK, "no-such.yaml"), message="no-such.yaml")
        garbage = os.path.join(cli.WORK, "garbage.lmc")
        with open(garbage, "wb") as f:
            f.write(b"\x00not an artifact" * 64)
        self.expect(1, "run", garbage, "--prompt", "x", message=re.escape(garbage))
        bad_yaml = os.path.join(cli.WORK, "bad.yaml")
        with open(bad_yaml, "w") as f:
            f.write("name: broken\nweights: nowhere.gguf\nblock:\n  - x = frobnicate(x)\n")
        self.expect(1, "compile", bad_yaml, message="bad.yaml")

    @needs(LLAMA_GGUF)
    def test_a_flipped_byte_in_a_tensor_name_keeps_the_reason(self):
        """SmolLM2's GGUF with one bit of a tensor name's length flipped: the name runs into
        the fields after it, NUL bytes and all, and the error shows it escaped (cut past 96
        bytes, with the count left out), its closing quote and the reason."""
        with open(LLAMA_GGUF, "rb") as f:
            data = bytearray(f.read())
        data[1780000] ^= 0x40
        flipped = os.path.join(cli.WORK, "flipped.gguf")
        with open(flipped, "wb") as f:
            f.write(data)
        try:
            for command in (["inspect", flipped], ["run", flipped, "--prompt", "x", "--no-cache"]):
                self.expect(1, *command, message=re.escape(flipped) + r":offset \d+: error: tensor "
                            r"'blk\.26\.ffn_norm\.weight\\x01\\x00\\x00\\x00.*\.\.\. \(\d+ more bytes\)' has \d+ "
                            r"dimensions \(1 to 4 allowed\)$")
        finally:
            os.remove(flipped)


if __name__ == "__main__":
    cli.main("cli")
