#!/usr/bin/env python3
"""The vision tower in the compile cache: on test_run_image.py's small generated Gemma-3-shaped
pair, lmc encode-image's first call compiles the tower into the cache and the second opens
it (each says so), with the same embeddings bit for bit, and lmc run --mmproj opens it too
and answers the same greedy text; lmc cache list shows the entry by its mmproj and vision
definition. A changed mmproj (same name, size, shapes and mtime, another weight) and other
passes are other entries; a damaged entry (truncated, or its seal) is compiled again, never
run; --no-cache and a watched compile (--verbose) compile in memory and leave the cache alone.

  test_image_cache.py --lmc BUILD/tools/lmc [unittest options]
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from test_cache import entries, flip_byte_keeping_size_and_mtime
from test_run_image import write_model_pair

LMC = None
COMPILED = "compiled in "
INTO = "into the compile cache as "
OPENED = "opened from the compile cache "


class TowerCache(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.TemporaryDirectory()
        cls.model, mmproj, cls.pngs, _ = write_model_pair(cls.dir.name)
        cls.template = os.path.join(cls.dir.name, "template")
        cls.mmproj_source = mmproj
        # The tower's entry most tests start from, compiled once.
        os.makedirs(cls.template)
        r = subprocess.run([LMC, "encode-image", "-t", "2", "--mmproj", mmproj, "--image", cls.pngs[0],
                            "--cache-dir", os.path.join(cls.template, "cache"), "-o",
                            os.path.join(cls.template, "first.npy")], capture_output=True, text=True, timeout=300)
        assert r.returncode == 0, r.stderr
        assert INTO in r.stdout, r.stdout
        cls.first = np.load(os.path.join(cls.template, "first.npy"))

    @classmethod
    def tearDownClass(cls):
        cls.dir.cleanup()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="lmc-tower-cache-")
        self.cache = os.path.join(self.tmp, "cache")
        self.mmproj = os.path.join(self.tmp, "mmproj.gguf")
        shutil.copyfile(self.mmproj_source, self.mmproj)

    def tearDown(self):
        shutil.rmtree(self.tmp)

    def start_from_entry(self):
        shutil.copytree(os.path.join(self.template, "cache"), self.cache)
        self.assertEqual(len(entries(self.cache)), 1)

    def encode(self, *flags, cache=True, env=None):
        """lmc encode-image's first stdout line (how it had the tower) and the embeddings."""
        out = os.path.join(self.tmp, "out.npy")
        args = [LMC, "encode-image", "-t", "2", "--mmproj", self.mmproj, "--image", self.pngs[0], "-o", out]
        r = subprocess.run(args + (["--cache-dir", self.cache] if cache else []) + list(flags), capture_output=True,
                           text=True, timeout=300, env=None if env is None else {**os.environ, **env})
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.splitlines()[0], np.load(out)

    def run_lmc(self, *flags):
        r = subprocess.run([LMC, "run", "-t", "2", self.model, "--mmproj", self.mmproj, "--image", self.pngs[1],
                            "-p", "Describe it.", "-n", "6", "--temp", "0", "--ignore-eos", "--cache-dir", self.cache,
                            *flags], capture_output=True, text=True, errors="replace", timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def test_compiles_once_then_opens_the_entry(self):
        first, one = self.encode()
        self.assertIn(COMPILED, first)
        self.assertIn(INTO + self.cache, first)
        second, two = self.encode()
        self.assertIn(OPENED + self.cache, second)
        self.assertNotIn(COMPILED, second)
        self.assertEqual(one.tobytes(), two.tobytes())
        self.assertEqual(one.tobytes(), self.first.tobytes())
        self.assertEqual(len(entries(self.cache)), 1)
        listed = subprocess.run([LMC, "cache", "list", "--cache-dir", self.cache], capture_output=True, text=True)
        self.assertEqual(listed.returncode, 0, listed.stderr)
        self.assertIn(self.mmproj, listed.stdout)
        self.assertIn("gemma3-vision.yaml", listed.stdout)

    def test_run_opens_the_cached_tower_and_answers_the_same(self):
        first = self.run_lmc()
        self.assertIn(f"lmc: {self.mmproj}: vision tower {COMPILED}", first.stderr)
        # The text model's entry and the tower's.
        self.assertEqual(len(entries(self.cache)), 2)
        second = self.run_lmc()
        self.assertIn(f"lmc: {self.mmproj}: vision tower {OPENED}", second.stderr)
        self.assertEqual(first.stdout, second.stdout)
        self.assertTrue(first.stdout.strip())
        self.assertEqual(len(entries(self.cache)), 2)

    def test_changed_mmproj_is_another_entry(self):
        self.start_from_entry()
        flip_byte_keeping_size_and_mtime(self.mmproj)
        line, changed = self.encode()
        self.assertIn(INTO, line)
        self.assertEqual(len(entries(self.cache)), 2)
        self.assertNotEqual(changed.tobytes(), self.first.tobytes())

    def test_other_passes_are_another_entry(self):
        self.start_from_entry()
        line, unfused = self.encode("--passes=none")
        self.assertIn(INTO, line)
        self.assertEqual(len(entries(self.cache)), 2)
        self.assertIn(OPENED, self.encode("--passes=none")[0])
        np.testing.assert_allclose(unfused, self.first, atol=1e-3 * np.abs(self.first).max())

    def damage(self, how):
        [entry] = entries(self.cache)
        path = os.path.join(self.cache, entry)
        with open(path, "r+b") as f:
            how(f, os.path.getsize(path))

    def check_compiled_again(self, *said):
        r = subprocess.run([LMC, "encode-image", "-t", "2", "--mmproj", self.mmproj, "--image", self.pngs[0],
                            "--cache-dir", self.cache, "-o", os.path.join(self.tmp, "again.npy")],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("does not open, compiling it again", r.stderr)
        for words in said:
            self.assertIn(words, r.stderr)
        self.assertIn(INTO, r.stdout)
        self.assertEqual(np.load(os.path.join(self.tmp, "again.npy")).tobytes(), self.first.tobytes())
        self.assertIn(OPENED, self.encode()[0])

    def test_truncated_entry_is_compiled_again(self):
        self.start_from_entry()
        self.damage(lambda f, size: f.truncate(size // 2))
        self.check_compiled_again()

    def test_entry_with_a_damaged_seal_is_compiled_again(self):
        self.start_from_entry()

        def flip_seal(f, _):  # the header's bytes 40 to 72
            f.seek(40)
            byte = f.read(1)[0]
            f.seek(40)
            f.write(bytes([byte ^ 0x40]))
        self.damage(flip_seal)
        self.check_compiled_again("not sealed with your artifact key")

    def test_no_cache_and_watched_compiles_leave_it_alone(self):
        home = os.path.join(self.tmp, "home")
        for _ in range(2):
            line, got = self.encode("--no-cache", cache=False, env={"XDG_CACHE_HOME": home})
            self.assertIn("compiled in memory", line)
            self.assertEqual(got.tobytes(), self.first.tobytes())
        self.assertEqual(entries(os.path.join(home, "lmc")), [])
        line, _ = self.encode("--verbose")
        self.assertIn("compiled in memory", line)
        self.assertEqual(entries(self.cache), [])


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--lmc", required=True)
    args, rest = parser.parse_known_args()
    LMC = args.lmc
    unittest.main(argv=[sys.argv[0]] + rest)
