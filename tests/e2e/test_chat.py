#!/usr/bin/env python3
"""lmc chat end to end on SmolLM2-135M-Instruct (its GGUF carries a ChatML template with a
default system message): turns keep the conversation in the KV cache, Ctrl-C stops an
answer and not the chat, Ctrl-D leaves, `lmc run --interactive` is the same conversation,
and a model without a chat format is one clear error.

  test_chat.py --lmc BUILD/tools/lmc [unittest options]
"""
import argparse
import os
import select
import signal
import subprocess
import sys
import tempfile
import time
import unittest

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LLAMA_GGUF = os.path.join(SOURCE, "models", "weights", "SmolLM2-135M-Instruct.Q4_1.gguf")
GEMMA_GGUF = os.path.join(SOURCE, "models", "weights", "gemma-3-270m-q4_k_m.gguf")
GEMMA_YAML = os.path.join(SOURCE, "models", "gemma3.yaml")
SMOLLM_SYSTEM = "You are a helpful AI assistant named SmolLM, trained by Hugging Face"
LMC = None


def lmc(*args, stdin=None):
    return subprocess.run([LMC, *args], capture_output=True, text=True, input=stdin, timeout=600)


def chatml(role, content):
    return f"<|im_start|>{role}\n{content}<|im_end|>\n"


@unittest.skipUnless(os.path.exists(LLAMA_GGUF), "SmolLM2 weights are absent")
class Chat(unittest.TestCase):
    def test_second_turn_continues_the_cached_conversation(self):
        # Requantized to Q8_0. The check below that the template reaches the model wants an
        # answer about France: SmolLM2's greedy one is at a near-tie between "Paris" and "Le
        # Grand Château ... the capital of the Kingdom of France", which the input rows'
        # rounding (ggml's f16 scales) decides.
        r = lmc("chat", LLAMA_GGUF, "--requantize=q8_0", "--threads", "2",
                stdin="Which city is the capital of France?\nAnd of Germany?\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f'Q4_1.gguf:chat_template, system message "{SMOLLM_SYSTEM}"', r.stderr)
        answers = r.stdout.split("\n")
        self.assertEqual(len(answers), 3, r.stdout)  # two answers, each ended by a newline
        self.assertRegex(answers[0], "Paris|France")
        # The same conversation rendered whole and run from an empty cache: the cached turns
        # must leave the model in the same state.
        transcript = (chatml("system", SMOLLM_SYSTEM) + chatml("user", "Which city is the capital of France?") +
                      chatml("assistant", answers[0]) + chatml("user", "And of Germany?") + "<|im_start|>assistant\n")
        whole = lmc("run", LLAMA_GGUF, "--requantize=q8_0", "--threads", "2", "--prompt", transcript, "--max-tokens", "64")
        self.assertEqual(whole.returncode, 0, whole.stderr)
        self.assertEqual(whole.stdout[len(transcript):].strip(), answers[1].strip())

    def test_run_interactive_is_the_same_conversation(self):
        question = "Which city is the capital of France?\n"
        chat = lmc("chat", LLAMA_GGUF, "--threads", "2", stdin=question)
        run = lmc("run", LLAMA_GGUF, "--interactive", "--threads", "2", stdin=question)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.assertEqual(run.stdout, chat.stdout)

    def test_messages_of_several_lines_as_llama_cpp_reads_them(self):
        # A line ending in a backslash goes on; with -mli lines go on until one ends in one (or in /).
        one = lmc("run", LLAMA_GGUF, "-t", "2", "-st", "-n", "8", "-p", r"Name a city\nin France.")
        self.assertEqual(one.returncode, 0, one.stderr)
        for flags, typed in (((), "Name a city\\\nin France.\n"), (("-mli",), "Name a city\nin France.\\\n"),
                             (("--multiline-input",), "Name a city\nin France./\n")):
            r = lmc("chat", LLAMA_GGUF, "-t", "2", "-n", "8", *flags, stdin=typed)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, one.stdout, flags)

    def test_system_flag_replaces_the_default(self):
        r = lmc("chat", LLAMA_GGUF, "--threads", "2", "--system", "You only answer in French.",
                "--max-tokens", "4", stdin="Hello\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('system message "You only answer in French."', r.stderr)
        r = lmc("chat", LLAMA_GGUF, "--threads", "2", "--system=", "--max-tokens", "4", stdin="Hello\n")
        self.assertIn("an empty system message", r.stderr)

    def test_ctrl_c_stops_the_answer_and_ctrl_d_leaves(self):
        p = subprocess.Popen([LMC, "chat", LLAMA_GGUF, "--threads", "2"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            p.stdin.write(b"Write a very long story about a dragon who learns to cook.\n")
            p.stdin.flush()
            # Interrupt once the answer is streaming.
            deadline = time.time() + 300
            shown = b""
            while len(shown) < 40 and time.time() < deadline:
                ready, _, _ = select.select([p.stdout], [], [], 1)
                if ready:
                    shown += os.read(p.stdout.fileno(), 4096)
            self.assertGreaterEqual(len(shown), 40, "the answer never streamed")
            p.send_signal(signal.SIGINT)
            # The chat takes the next message; end of input (Ctrl-D) leaves with success.
            p.stdin.write(b"Which city is the capital of France?\n")
            p.stdin.close()
            p.stdin = None  # communicate() must not flush it again
            out, err = p.communicate(timeout=300)
        finally:
            if p.poll() is None:
                p.kill()
        self.assertEqual(p.returncode, 0, err.decode())
        self.assertIn("answer stopped", err.decode())
        self.assertIn("Paris", (shown + out).decode().split("\n")[-2])

    def test_a_terminal_edits_lines_recalls_them_and_shows_the_speed(self):
        import pty
        question = "Which city is the capital of France?"
        piped = lmc("chat", LLAMA_GGUF, "--threads", "2", "-n", "12", stdin=question + "\n")
        self.assertEqual(piped.returncode, 0, piped.stderr)
        with tempfile.TemporaryDirectory() as state:
            pid, fd = pty.fork()
            if pid == 0:  # the child: lmc chat on the terminal
                os.environ["XDG_STATE_HOME"] = state
                os.environ["TERM"] = "xterm"
                os.execv(LMC, [LMC, "chat", LLAMA_GGUF, "--threads", "2", "-n", "12"])
            screen = b""

            def until(text, after):
                nonlocal screen
                deadline = time.time() + 300
                while screen.find(text, after) < 0:
                    self.assertLess(time.time(), deadline, screen.decode(errors="replace"))
                    if select.select([fd], [], [], 1)[0]:
                        screen += os.read(fd, 4096)
                # Keys pressed once the prompt shows reach libedit, not the terminal's line
                # discipline (which holds until libedit takes the terminal).
                time.sleep(0.3)
                return screen.find(text, after) + len(text)

            def leave():
                # Ctrl-D until lmc has left: one that came while the terminal was between
                # modes is lost, as it would be for a person, who presses it again.
                deadline = time.time() + 60
                while time.time() < deadline:
                    os.write(fd, b"\x04")
                    for _ in range(20):
                        done, status = os.waitpid(pid, os.WNOHANG)
                        if done:
                            return status
                        if select.select([fd], [], [], 0.1)[0]:
                            try:
                                os.read(fd, 4096)
                            except OSError:
                                pass
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                self.fail("lmc chat did not leave on Ctrl-D")

            at = until(b"> ", 0)
            # Typed with the cursor moved back over the "?": line editing puts "France" before it.
            os.write(fd, b"Which city is the capital of ?\x1b[DFrance\r")
            at = until(b"tok/s\r\n> ", at)
            first = screen
            os.write(fd, b"\x1b[A\r")  # Up: the same question again
            until(b"tok/s\r\n> ", at)
            status = leave()
            os.close(fd)
            with open(os.path.join(state, "lmc", "chat_history")) as f:
                history = f.read()
        self.assertEqual(os.waitstatus_to_exitcode(status), 0, screen.decode(errors="replace"))
        text = first.decode(errors="replace").replace("\r\n", "\n")
        self.assertIn(piped.stdout.split("\n")[0] + "\n", text)  # the same answer as the piped question's
        self.assertRegex(text, r"lmc: prompt \d+ tokens at [\d.]+ tok/s; answer \d+ tokens at [\d.]+ tok/s")
        self.assertNotIn("^[[", screen.decode(errors="replace"))
        self.assertIn("\r> " + question + "\r\n", screen.decode(errors="replace"))  # recalled whole by Up
        # libedit's file: a header, then the line once (a repeat of the last is not kept again).
        self.assertEqual(len(history.splitlines()), 2, history)
        self.assertIn("capital\\040of\\040France?", history)

    @unittest.skipUnless(os.path.exists(GEMMA_GGUF), "Gemma 3 weights are absent")
    def test_a_model_without_a_chat_format_is_one_error_line(self):
        with tempfile.TemporaryDirectory() as d:
            definition = os.path.join(d, "no-chat.yaml")
            with open(GEMMA_YAML) as f:
                text = f.read().replace("\nchat: gemma\n", "\n")
            with open(definition, "w") as f:
                f.write(text)
            r = lmc("chat", definition, "--weights", GEMMA_GGUF, stdin="Hello\n")
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.strip().split("\n")
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertIn("no-chat.yaml", lines[0])
        self.assertIn("no chat format", lines[0])


def main():
    global LMC
    ap = argparse.ArgumentParser()
    ap.add_argument("--lmc", required=True)
    args, rest = ap.parse_known_args()
    LMC = args.lmc
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)


if __name__ == "__main__":
    main()
