#!/usr/bin/env python3
"""The compile cache end to end: lmc run on a GGUF compiles once and opens the cached
artifact after; a changed weights file (same name, size and mtime) is compiled anew; other
options are other entries (the host's ISA is the default target, the AVX2 baseline another
entry with the same logits); two processes compiling the same model at once compile it once;
the size bound evicts the least recently used; a damaged entry (truncated, or its seal) is
compiled again, once; --no-cache and a watched compile leave the cache alone; lmc cache
list|clear; flag errors.

  test_cache.py --lmc BUILD/tools/lmc [unittest options]

Uses SmolLM2-135M's GGUF (skips when it is absent).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
GGUF = os.path.join(SOURCE, "models", "weights", "SmolLM2-135M-Instruct.Q4_1.gguf")
COMPILING = "compiled in"
MODEL_FILE = "smollm2.gguf"
LMC = None


def run(cache, model, *extra, check=True, env=None):
    args = [LMC, "run", model, "--prompt", "The capital of France is", "--max-tokens", "4"]
    if cache is not None:
        args += ["--cache-dir", cache]
    p = subprocess.run(args + list(extra), capture_output=True, text=True, timeout=600,
                       env=None if env is None else {**os.environ, **env})
    if check and p.returncode != 0:
        raise AssertionError(f"lmc run failed ({p.returncode}): {p.stderr}")
    return p


def entries(cache):
    return sorted(f for f in os.listdir(cache) if f.endswith(".lmc")) if os.path.isdir(cache) else []


def flip_byte_keeping_size_and_mtime(path):
    """Changes a byte of the last tensor's data of `path`, leaving its size and mtime as they
    were: what names an entry must be the bytes, not what stat says."""
    st = os.stat(path)
    with open(path, "r+b") as f:
        f.seek(st.st_size - 64)
        b = f.read(1)
        f.seek(st.st_size - 64)
        f.write(bytes([b[0] ^ 0x55]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    return st


@unittest.skipUnless(os.path.exists(GGUF), f"{GGUF} absent")
class CompileCache(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The entry most tests start from, compiled once: entries are keyed by the weights'
        # content and the model's name (its file's), so each test's own copy finds it.
        cls.template = tempfile.mkdtemp(prefix="lmc-cache-template-")
        model = os.path.join(cls.template, MODEL_FILE)
        shutil.copyfile(GGUF, model)
        run(os.path.join(cls.template, "cache"), model)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.template)

    def start_from_entry(self):
        """This test's cache holds the model's default entry, as after a first run."""
        shutil.copytree(os.path.join(self.template, "cache"), self.cache)
        self.assertEqual(len(entries(self.cache)), 1)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lmc-cache-")
        self.cache = os.path.join(self.tmp, "cache")
        self.model = os.path.join(self.tmp, MODEL_FILE)
        shutil.copyfile(GGUF, self.model)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def test_compiles_once_then_opens_the_entry(self):
        first = run(self.cache, self.model)
        self.assertIn(COMPILING, first.stderr)
        self.assertIn("into the cache", first.stderr)
        second = run(self.cache, self.model)
        self.assertNotIn(COMPILING, second.stderr)
        self.assertEqual(first.stdout, second.stdout)
        self.assertEqual(len(entries(self.cache)), 1)
        listed = subprocess.run([LMC, "cache", "list", "--cache-dir", self.cache], capture_output=True, text=True)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn(self.model, listed.stdout)
        self.assertIn("1 compiled model,", listed.stdout)

    def test_changed_weights_same_name_size_and_mtime_compile_again(self):
        self.start_from_entry()
        st = flip_byte_keeping_size_and_mtime(self.model)
        self.assertEqual((os.stat(self.model).st_size, os.stat(self.model).st_mtime_ns), (st.st_size, st.st_mtime_ns))
        again = run(self.cache, self.model)
        self.assertIn(COMPILING, again.stderr)
        self.assertEqual(len(entries(self.cache)), 2)

    def test_other_options_are_another_entry(self):
        self.start_from_entry()
        requantized = run(self.cache, self.model, "--requantize=q8_0")
        self.assertIn(COMPILING, requantized.stderr)
        self.assertEqual(len(entries(self.cache)), 2)
        self.assertNotIn(COMPILING, run(self.cache, self.model, "--requantize=q8_0").stderr)

    def test_host_target_by_default_baseline_another_entry_same_bits(self):
        # Weights compiled to run here take this CPU's ISA; --target=baseline is another
        # entry, whose logits are the same bits (docs/architecture.md: targets).
        self.start_from_entry()
        listed = subprocess.run([LMC, "cache", "list", "--cache-dir", self.cache], capture_output=True, text=True)
        self.assertIn("target=native", listed.stdout)
        logits = {t: os.path.join(self.tmp, t + ".npy") for t in ("native", "baseline")}
        native = run(self.cache, self.model, "--logits-out", logits["native"])
        baseline = run(self.cache, self.model, "--target=baseline", "--logits-out", logits["baseline"])
        self.assertIn(COMPILING, baseline.stderr)
        self.assertEqual(len(entries(self.cache)), 2)
        self.assertEqual(native.stdout, baseline.stdout)
        with open(logits["native"], "rb") as a, open(logits["baseline"], "rb") as b:
            self.assertEqual(a.read(), b.read(), "the targets' logits differ")

    def test_without_amx_same_text_and_bits(self):
        # --no-amx keeps the tiles off; where Linux grants them the native entry multiplies on
        # them (a prompt past 16 tokens reaches the tile path) and --no-amx is another entry,
        # with the same logits bits (docs/architecture.md: AMX tiles).
        self.start_from_entry()
        prompt = ["--prompt", " ".join(["The capital of France is Paris, and the capital of Italy is Rome."] * 3)]
        logits = {t: os.path.join(self.tmp, t + ".npy") for t in ("default", "no-amx")}
        default = run(self.cache, self.model, *prompt, "--logits-out", logits["default"])
        without = run(self.cache, self.model, *prompt, "--no-amx", "--logits-out", logits["no-amx"])
        self.assertEqual(default.stdout, without.stdout)
        with open(logits["default"], "rb") as a, open(logits["no-amx"], "rb") as b:
            self.assertEqual(a.read(), b.read(), "the logits with and without AMX differ")
        off = run(self.cache, self.model, env={"LMC_NO_AMX": "1"})
        self.assertNotIn(COMPILING, off.stderr, "LMC_NO_AMX=1 and --no-amx share an entry")

    def test_amx_bf16_leaves_short_prompts_alone(self):
        # --amx-bf16 forces the bf16 tile GEMM, which takes prompts of 64 tokens or more where
        # the tiles are granted; a short prompt's logits keep their bits on any host.
        self.start_from_entry()
        logits = {t: os.path.join(self.tmp, t + ".npy") for t in ("default", "bf16")}
        default = run(self.cache, self.model, "--logits-out", logits["default"])
        bf16 = run(self.cache, self.model, "--amx-bf16", "--logits-out", logits["bf16"])
        self.assertEqual(default.stdout, bf16.stdout)
        with open(logits["default"], "rb") as a, open(logits["bf16"], "rb") as b:
            self.assertEqual(a.read(), b.read(), "--amx-bf16 changed a short prompt's logits")

    def test_each_tile_mode_is_an_entry(self):
        # Every codegen choice is in the key: the default (the kernels tune-prefill measured),
        # --amx-bf16 (forced bf16 tiles) and --no-amx (no tiles) are three entries on any host,
        # one without the tiles too, so a mode never serves another's kernels; the
        # environment's spellings share the flags' entries.
        self.start_from_entry()
        for flag in ("--amx-bf16", "--no-amx"):
            self.assertIn(COMPILING, run(self.cache, self.model, flag).stderr, flag + " reused another entry")
        self.assertEqual(len(entries(self.cache)), 3)
        for env in ({"LMC_AMX_BF16": "1"}, {"LMC_NO_AMX": "1"}):
            self.assertNotIn(COMPILING, run(self.cache, self.model, env=env).stderr, f"{env} compiled anew")
        self.assertEqual(len(entries(self.cache)), 3)

    def test_two_processes_compile_it_once(self):
        args = [LMC, "run", self.model, "--prompt", "Hello", "--max-tokens", "4", "--cache-dir", self.cache]
        procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outs = [p.communicate(timeout=600) for p in procs]
        for p, (_, err) in zip(procs, outs):
            self.assertEqual(p.returncode, 0, err)
        self.assertEqual(outs[0][0], outs[1][0])
        self.assertEqual(sum(COMPILING in err for _, err in outs), 1, [err for _, err in outs])
        self.assertEqual(len(entries(self.cache)), 1)

    def test_size_bound_evicts_the_least_recently_used(self):
        self.start_from_entry()
        first = entries(self.cache)
        bounded = run(self.cache, self.model, "--requantize=q8_0", "--cache-max-gb=0.001")
        self.assertIn("over its bound", bounded.stderr)
        kept = entries(self.cache)
        self.assertEqual(len(kept), 1)
        self.assertNotEqual(kept, first)

    def test_size_bound_from_the_environment(self):
        self.start_from_entry()
        first = entries(self.cache)
        bounded = run(self.cache, self.model, "--requantize=q8_0", env={"LMC_CACHE_MAX_GB": "0.001"})
        self.assertIn("over its bound", bounded.stderr)
        self.assertEqual(len(entries(self.cache)), 1)
        self.assertNotEqual(entries(self.cache), first)
        bad = run(self.cache, self.model, env={"LMC_CACHE_MAX_GB": "lots"}, check=False)
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertIn("LMC_CACHE_MAX_GB", bad.stderr)

    def test_a_disk_without_room_compiles_in_memory(self):
        self.start_from_entry()
        cached = run(self.cache, self.model)
        # No disk has a million GB free: the cache keeps no entry, evicts the old one
        # making room, and the run still answers, the same text.
        full = run(self.cache, self.model, "--requantize=q8_0", "--cache-min-free-gb=1000000")
        self.assertIn("compiling it in memory for this run", full.stderr)
        self.assertNotIn("into the cache", full.stderr)
        self.assertEqual(entries(self.cache), [])
        same = run(self.cache, self.model, "--cache-min-free-gb=1000000")
        self.assertEqual(same.stdout, cached.stdout)

    def test_damaged_entry_is_compiled_again(self):
        self.start_from_entry()
        [entry] = entries(self.cache)
        path = os.path.join(self.cache, entry)
        with open(path, "r+b") as f:
            f.truncate(os.path.getsize(path) // 2)
        again = run(self.cache, self.model)
        self.assertIn("does not open, compiling it again", again.stderr)
        self.assertIn(COMPILING, again.stderr)
        self.assertNotIn(COMPILING, run(self.cache, self.model).stderr)

    def test_entry_with_a_damaged_seal_is_compiled_again_once(self):
        """An entry whose seal no longer matches opens (its digests hold) but its kernels may
        not run: it is replaced, once, and the next run opens the new entry, ready in under 2 s
        rather than compiling its kernels in memory every time."""
        self.start_from_entry()
        [entry] = entries(self.cache)
        with open(os.path.join(self.cache, entry), "r+b") as f:  # the seal: the header's bytes 40 to 72
            f.seek(40)
            byte = f.read(1)[0]
            f.seek(40)
            f.write(bytes([byte ^ 0x40]))
        again = run(self.cache, self.model)
        self.assertIn("does not open, compiling it again", again.stderr)
        self.assertIn("not sealed with your artifact key", again.stderr)
        self.assertIn(COMPILING, again.stderr)
        later = run(self.cache, self.model)
        self.assertNotIn(COMPILING, later.stderr)
        self.assertNotIn("recompiling kernels", later.stderr)
        ready = float(re.search(r"ready in ([0-9.]+) s", later.stderr).group(1))
        self.assertLess(ready, 2.0, later.stderr)
        self.assertEqual(later.stdout, again.stdout)

    def test_no_cache_and_watched_compiles_leave_it_alone(self):
        plain = run(self.cache, self.model, "--no-cache", check=False)
        self.assertEqual(plain.returncode, 2)  # --no-cache with --cache-dir
        p = run(None, self.model, "--no-cache")
        self.assertNotIn(COMPILING, p.stderr)
        watched = run(self.cache, self.model, "--verbose")
        self.assertIn("lmc: passes:", watched.stderr)
        self.assertEqual(entries(self.cache), [])

    def test_clear_empties_it(self):
        self.start_from_entry()
        cleared = subprocess.run([LMC, "cache", "clear", "--cache-dir", self.cache], capture_output=True, text=True)
        self.assertEqual(cleared.returncode, 0, cleared.stderr)
        self.assertEqual(os.listdir(self.cache), [])
        self.assertIn(COMPILING, run(self.cache, self.model).stderr)

    def test_flag_errors(self):
        art = os.path.join(self.tmp, "x.lmc")
        for args in (["run", art, "--prompt", "x", "--cache-dir", self.cache],
                     ["run", self.model, "--prompt", "x", "--cache-max-gb=-1"],
                     ["run", self.model, "--prompt", "x", "--cache-max-gb=lots"],
                     ["cache", "frob"], ["cache"]):
            p = subprocess.run([LMC, *args], capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 2, (args, p.stderr))
            self.assertTrue(p.stderr.strip(), args)


def main():
    global LMC
    parser = argparse.ArgumentParser()
    parser.add_argument("--lmc", required=True)
    args, rest = parser.parse_known_args()
    LMC = args.lmc
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
