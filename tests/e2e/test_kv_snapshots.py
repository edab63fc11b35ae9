#!/usr/bin/env python3
"""A KV cache in a file, two ways llama.cpp users save one: lmc serve's POST
/slots/ID?action=save|restore under --slot-save-path (llama-server's answers; after a restore a
prompt sharing the slot's tokens starts from them and answers as when read from scratch; bad
file names, other models' and damaged files and paths that are not regular files are 400s),
and lmc run's --prompt-cache FILE (the next run whose prompt shares a prefix reuses it, says
how much on stderr, and writes the text it writes without the file; --prompt-cache-ro never
writes it; a file of another KV-cache type is refused).

  test_kv_snapshots.py --lmc build/tools/lmc

On SmolLM2-135M (its GGUF; exit 77 when absent).
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as serve  # noqa: E402
from serve_harness import Server  # noqa: E402

PROMPT = "The snapshot test lists the planets in order: Mercury, Venus,"
LONGER = PROMPT + " Earth, Mars, Jupiter, and then"


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def identity_changed(data):
    """The file with its header's identity (bytes 16 to 24) changed: another model's."""
    return data[:16] + bytes(b ^ 0xff for b in data[16:24]) + data[24:]


class SlotFiles(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="lmc-slots-")
        cls.server = Server("--parallel", "2", "--ctx-size", "1024", "--slot-save-path", cls.dir)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        shutil.rmtree(cls.dir)

    def post(self, path, body, status=200):
        got, data = self.server.request("POST", path, body)
        self.assertEqual(got, status, data)
        return json.loads(data)

    def complete(self, prompt, cache=True):
        return self.post("/completion", {"prompt": prompt, "n_predict": 12, "temperature": 0, "cache_prompt": cache})

    def saved_slot(self, name):
        """Runs PROMPT, saves its slot as `name`; returns the answer, the slot and the save's answer."""
        first = self.complete(PROMPT)
        slot = first["id_slot"]
        saved = self.post(f"/slots/{slot}?action=save", {"filename": name})
        return first, slot, saved

    def test_a_restored_slot_starts_the_prompt_and_answers_the_same(self):
        first, slot, saved = self.saved_slot("planets.bin")
        path = os.path.join(self.dir, "planets.bin")
        self.assertEqual(set(saved), {"id_slot", "filename", "n_saved", "n_written", "timings"})
        self.assertEqual((saved["id_slot"], saved["filename"]), (slot, "planets.bin"))
        # The prompt's tokens and the answer's fed back (all but the last).
        self.assertGreaterEqual(saved["n_saved"], first["tokens_evaluated"])
        self.assertLess(saved["n_saved"], first["tokens_evaluated"] + first["tokens_predicted"])
        self.assertEqual(saved["n_written"], os.path.getsize(path))
        self.assertGreaterEqual(saved["timings"]["save_ms"], 0)
        self.assertEqual(sorted(os.listdir(self.dir)), ["planets.bin"])  # no temporary left
        for i in (0, 1):
            self.post(f"/slots/{i}?action=erase", None)
        other = 1 - slot
        restored = self.post(f"/slots/{other}?action=restore", {"filename": "planets.bin"})
        self.assertEqual(set(restored), {"id_slot", "filename", "n_restored", "n_read", "timings"})
        self.assertEqual((restored["id_slot"], restored["n_restored"], restored["n_read"]),
                         (other, saved["n_saved"], saved["n_written"]))
        self.assertGreaterEqual(restored["timings"]["restore_ms"], 0)
        again = self.complete(LONGER)
        self.assertEqual(again["id_slot"], other)
        self.assertGreaterEqual(again["timings"]["cache_n"], first["tokens_evaluated"] - 1)
        # What the slot holds after the answer, as llama-server's: the prompt and the answer but its last token.
        self.assertEqual(again["tokens_cached"], again["tokens_evaluated"] + again["tokens_predicted"] - 1)
        fresh = self.complete(LONGER, cache=False)
        self.assertEqual(fresh["timings"]["cache_n"], 0)
        self.assertEqual(again["content"], fresh["content"])
        # Restoring the same file twice over a slot replaces what it held.
        self.assertEqual(self.post(f"/slots/{other}?action=restore", {"filename": "planets.bin"})["n_restored"],
                         saved["n_saved"])

    def test_bad_names_other_files_and_paths_are_400s(self):
        self.saved_slot("good.bin")
        good = read_bytes(os.path.join(self.dir, "good.bin"))
        for body in ({"filename": "../x.bin"}, {"filename": "a/b.bin"}, {"filename": ".."}, {"filename": ""},
                     {"filename": 3}, {}, {"filename": "x\n.bin"}):
            for action in ("save", "restore"):
                err = self.post(f"/slots/0?action={action}", body, 400)["error"]
                self.assertEqual(err["param"], "filename", body)
        self.assertFalse(os.path.exists(os.path.join(os.path.dirname(self.dir), "x.bin")))
        missing = self.post("/slots/0?action=restore", {"filename": "missing.bin"}, 400)["error"]["message"]
        self.assertIn("missing.bin", missing)
        self.assertNotIn(self.dir, missing)  # the server's folder is its own: the client sees the name it gave
        for name, data, why in (("other.bin", identity_changed(good), "another model"),
                                ("short.bin", good[:len(good) // 2], "truncated"),
                                ("text.bin", b"not a snapshot at all, just some text in a file", "not an lmc")):
            with open(os.path.join(self.dir, name), "wb") as f:
                f.write(data)
            err = self.post("/slots/1?action=restore", {"filename": name}, 400)["error"]
            self.assertIn(why, err["message"], name)
            self.assertNotIn(self.dir, err["message"])
        # A restore that failed reading the rows (the truncated file) leaves the slot holding nothing.
        self.assertEqual(self.post("/slots/1?action=erase", None)["n_erased"], 0)
        # A link or a FIFO in the folder is never replaced.
        os.symlink(os.path.join(self.dir, "good.bin"), os.path.join(self.dir, "link.bin"))
        os.mkfifo(os.path.join(self.dir, "fifo.bin"))
        slot = self.complete(PROMPT)["id_slot"]
        for name in ("link.bin", "fifo.bin"):
            self.assertIn("not a regular file",
                          self.post(f"/slots/{slot}?action=save", {"filename": name}, 400)["error"]["message"])
        self.assertTrue(os.path.islink(os.path.join(self.dir, "link.bin")))
        self.assertEqual(read_bytes(os.path.join(self.dir, "good.bin")), good)
        self.assertEqual(self.post("/slots/0?action=copy", {"filename": "good.bin"}, 400)["error"]["param"], "action")


def run(*flags, check=True):
    r = subprocess.run([serve.LMC, "run", serve.MODEL, "--temp", "0", "-n", "10", "--no-display-prompt", *flags],
                       capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError(f"lmc run {' '.join(flags)} exited {r.returncode}:\n{r.stderr}")
    return r


def reused(stderr):
    m = re.search(r"prompt cache .*: (\d+) of the prompt's (\d+) tokens reused", stderr)
    return (int(m.group(1)), int(m.group(2))) if m else None


class PromptCache(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="lmc-prompt-cache-")
        self.file = os.path.join(self.dir, "prompt.bin")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_the_next_run_starts_from_the_file_and_writes_the_same_text(self):
        first = run("-p", PROMPT, "--prompt-cache", self.file)
        self.assertIn("none yet", first.stderr)
        self.assertEqual(first.stdout, run("-p", PROMPT).stdout)
        saved = read_bytes(self.file)
        again = run("-p", LONGER, "--prompt-cache", self.file, "--prompt-cache-ro")
        n, total = reused(again.stderr)
        self.assertGreater(n, 0)
        self.assertLess(n, total)
        self.assertEqual(again.stdout, run("-p", LONGER).stdout)
        self.assertEqual(read_bytes(self.file), saved)  # -ro: not written
        # The same prompt again: all of it but its last token, whose logits start the answer.
        same = run("-p", PROMPT, "--prompt-cache", self.file)
        n, total = reused(same.stderr)
        self.assertEqual(n, total - 1)
        self.assertEqual(same.stdout, first.stdout)
        # --prompt-cache-all keeps the answer too: a prompt that goes on with it reuses it.
        run("-p", PROMPT, "--prompt-cache", self.file, "--prompt-cache-all")
        follow = PROMPT + first.stdout.rstrip("\n")
        longer = run("-p", follow, "--prompt-cache", self.file, "--prompt-cache-ro")
        self.assertGreater(reused(longer.stderr)[0], n)
        self.assertEqual(longer.stdout, run("-p", follow).stdout)

    def test_a_file_of_another_cache_type_or_model_is_refused(self):
        run("-p", PROMPT, "--prompt-cache", self.file)
        other = run("-p", PROMPT, "--prompt-cache", self.file, "-ctk", "q8_0", "-ctv", "q8_0", check=False)
        self.assertNotEqual(other.returncode, 0)
        self.assertIn("another model or KV-cache layout", other.stderr)
        with open(self.file, "r+b") as f:
            data = f.read()
            f.seek(0)
            f.write(identity_changed(data))
        self.assertIn("another model", run("-p", PROMPT, "--prompt-cache", self.file, check=False).stderr)
        lone = run("-p", PROMPT, "--prompt-cache-ro", check=False)
        self.assertNotEqual(lone.returncode, 0)
        self.assertIn("--prompt-cache FILE", lone.stderr)


if __name__ == "__main__":
    sys.exit(serve.main())
