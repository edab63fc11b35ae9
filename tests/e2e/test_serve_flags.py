#!/usr/bin/env python3
"""lmc serve's flags and bounds, against raw HTTP and the `openai` package: a completion
without max_tokens gets 16, or --n-predict's tokens, which a request's own number overrides,
--alias names the model, the sampling flags are the defaults a request overrides, the prefix cache reuses a
chat's earlier turns (answering as the whole prompt read from scratch does), past the
queue a request is 503 with Retry-After while SIGTERM lets the one in flight finish, and
one that waits past --queue-timeout is 503 with Retry-After too; the twelve request bodies of a
llama-server script (samplers, DRY, XTC, Mirostat, grammar, n, n_probs, id_slot, ...) are 200.

  test_serve_flags.py --lmc build/tools/lmc

On SmolLM2-135M (its GGUF; exit 77 when absent); serve_harness.py is the server the serve
tests share.
"""
import http.client
import json
import os
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as serve  # noqa: E402
from serve_harness import KEY, PROMPTS, Server, self_metric  # noqa: E402


class TokenLimits(unittest.TestCase):
    """--n-predict is the tokens of a request that asks for no number; --alias names the model, and a
    request may name any."""

    @classmethod
    def setUpClass(cls):
        cls.keys = tempfile.NamedTemporaryFile("w", suffix=".keys")
        cls.keys.write("second-key\n\n  third-key\n")
        cls.keys.flush()
        # llama-server's spellings; --cache-reuse is noted, -to is --body-timeout.
        cls.server = Server("-np", "1", "--n-predict", "20", "--alias", "gpt-4o", "--api-key-file", cls.keys.name,
                            "-to", "60", "--cache-reuse", "256", "-kvu")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.keys.close()

    def test_keys_of_the_flag_and_the_file_are_accepted(self):
        for key, status in (("test-key", 200), ("second-key", 200), ("third-key", 200), ("second", 401),
                            ("second-key2", 401)):
            self.assertEqual(self.server.request("GET", "/v1/models", key=key)[0], status, key)
        log = "".join(self.server.err)
        self.assertIn("lmc: --cache-reuse does nothing here: ", log)

    def test_n_predict_is_the_default_a_request_overrides(self):
        """As llama-server's (its test_completion_unified asks 80 of a server started with -n 64)."""
        counting = {"prompt": "1, 2, 3, 4, 5, 6, 7, 8,", "temperature": 0, "ignore_eos": True}
        for path, asked, expected in (("/v1/completions", {}, 20), ("/v1/completions", {"max_tokens": 30}, 30),
                                      ("/completion", {"n_predict": 25}, 25), ("/completion", {"n_predict": -1}, 20)):
            status, data = self.server.request("POST", path, dict(counting, **asked))
            self.assertEqual(status, 200, data)
            data = json.loads(data)
            got = data["usage"]["completion_tokens"] if "usage" in data else data["tokens_predicted"]
            self.assertEqual(got, expected, (path, asked))


    def test_unknown_fields_are_ignored_and_named_in_the_log(self):
        """As llama-server: a field lmc does not know leaves the answer as it was, and the log says so."""
        for path, body in (("/v1/completions", {"prompt": "hi", "max_tokens": 2, "temperature": 0, "foo": 1}),
                           ("/v1/chat/completions", {"messages": [{"role": "user", "content": "hi"}], "max_tokens": 2,
                                                     "temperature": 0, "foo": {"x": 1}, "bar_baz": True}),
                           ("/completion", {"prompt": "hi", "n_predict": 2, "temperature": 0, "foo": "x"}),
                           ("/apply-template", {"messages": [{"role": "user", "content": "hi"}], "foo": 1})):
            status, data = self.server.request("POST", path, body)
            self.assertEqual(status, 200, (path, data))
        without = {"prompt": "hi", "max_tokens": 2, "temperature": 0}
        status, data = self.server.request("POST", "/v1/completions", without)
        self.assertEqual(status, 200, data)
        status, with_foo = self.server.request("POST", "/v1/completions", {**without, "foo": 1})
        self.assertEqual(json.loads(with_foo)["choices"][0]["text"], json.loads(data)["choices"][0]["text"])
        deadline = time.time() + 10
        while time.time() < deadline and "'bar_baz'" not in "".join(self.server.err):
            time.sleep(0.1)
        log = "".join(self.server.err)
        self.assertIn("request fields ignored, unknown to lmc: 'bar_baz', 'foo'", log)
        self.assertIn("(--strict-fields refuses them)", log)

    def test_props_and_models_have_llama_servers_fields(self):
        status, data = self.server.request("GET", "/props")
        props = json.loads(data)
        self.assertEqual((props["bos_token"], props["eos_token"], props["model_ftype"]),
                         ("<|im_start|>", "<|im_end|>", "Q4_1"))
        self.assertRegex(props["build_info"], r"^b\d+-([0-9a-f]{8}\+?|unknown) \(lmc [\d.]+\)$")  # as llama-server's
        # SmolLM2's template renders a system message and tool results, neither tools nor calls.
        self.assertEqual(props["chat_template_caps"],
                         {"supports_system_role": True, "supports_tools": False, "supports_tool_calls": False,
                          "supports_tool_responses": True, "supports_parallel_tool_calls": False,
                          "supports_tool_call_id": False})
        status, data = self.server.request("GET", "/v1/models")
        meta = json.loads(data)["data"][0]["meta"]
        self.assertEqual({k: meta[k] for k in ("n_vocab", "n_ctx_train", "n_embd")},
                         {"n_vocab": 49152, "n_ctx_train": 8192, "n_embd": 576})
        self.assertEqual(meta["n_params"], 134515008)  # the GGUF's tensors' values, as llama-server counts
        self.assertTrue(90_000_000 < meta["size"] < os.path.getsize(serve.MODEL))  # tensors, not the header

    def test_alias_names_the_model(self):
        status, data = self.server.request("GET", "/v1/models")
        self.assertEqual([m["id"] for m in json.loads(data)["data"]], ["gpt-4o"])
        status, data = self.server.request("POST", "/v1/completions", {"model": "whatever", "prompt": "hi",
                                                                       "max_tokens": 2})
        self.assertEqual(status, 200, data)
        self.assertEqual(json.loads(data)["model"], "gpt-4o")


class SlotContext(unittest.TestCase):
    """As llama-server: -c is the KV cache of all the slots, -np N divides it (N slots of c/N, the
    cache the size of llama-server's); with -kvu every slot may fill the whole of it."""

    def slots_of(self, *flags):
        server = Server(*flags)
        try:
            status, body = server.request("GET", "/slots")
            self.assertEqual(status, 200, body)
            status, props = server.request("GET", "/props")
            self.assertEqual(status, 200, props)
            return [s["n_ctx"] for s in json.loads(body)], json.loads(props), "".join(server.err)
        finally:
            server.stop()

    def test_np_divides_the_context_and_kvu_shares_it(self):
        n_ctx, props, log = self.slots_of("-c", "8192", "-np", "4")
        self.assertEqual(n_ctx, [2048] * 4)
        self.assertEqual(props["default_generation_settings"]["n_ctx"], 2048)
        self.assertIn("lmc: 4 slots of 2048 positions each (--ctx-size 8192 divided over them", log)
        # llama-server's flags for what lmc never does (shift a context, fit or offload to a GPU) are noted.
        n_ctx, _, log = self.slots_of("-c", "1024", "-np", "2", "-kvu", "--no-context-shift", "-fit", "off",
                                      "--keep", "-1", "-dev", "none", "--no-warmup")
        self.assertEqual(n_ctx, [1024] * 2)
        self.assertIn("lmc: --kv-unified: each of the 2 slots may hold all 1024 positions", log)
        for flag in ("--no-context-shift", "--fit", "--keep", "--device", "--no-warmup"):
            self.assertIn(f"lmc: {flag} does nothing here: ", log)


class ServerSamplingFlags(unittest.TestCase):
    """lmc serve's sampling flags are the defaults of a request that leaves the fields out."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--parallel", "1", "--ctx-size", "256", "--temp", "0.7", "--top-k", "20", "--top-p", "0.9",
                            "--min-p", "0.02", "--repeat-penalty", "1.1", "--presence-penalty", "0.3", "--seed", "5",
                            "--dry-multiplier", "0.8", "--top-nsigma", "1.5", "--xtc-probability", "0.3",
                            "--samplers", "penalties;dry;top_n_sigma;top_k;top_p;min_p;xtc;temp", "--strict-fields")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_missing_max_tokens_is_16(self):
        """Without --n-predict a completion that asks for no number gets OpenAI's 16 tokens."""
        status, data = self.server.request("POST", "/v1/completions", {"prompt": "hi", "ignore_eos": True})
        self.assertEqual(status, 200, data)
        data = json.loads(data)
        self.assertEqual((data["usage"]["completion_tokens"], data["choices"][0]["finish_reason"]), (16, "length"))

    def test_strict_fields_refuses_an_unknown_field(self):
        for path, body in (("/v1/completions", {"prompt": "hi", "max_tokens": 2, "foo": 1}),
                           ("/completion", {"prompt": "hi", "n_predict": 2, "foo": 1})):
            status, data = self.server.request("POST", path, body)
            self.assertEqual(status, 400, data)
            error = json.loads(data)["error"]
            self.assertEqual(error.get("param"), "foo", error)
            self.assertIn("unrecognized request argument 'foo' (lmc serve --strict-fields)", error["message"])

    def test_flags_are_the_defaults_and_a_request_overrides_them(self):
        silent = {"prompt": PROMPTS[4], "max_tokens": 12}
        explicit = dict(silent, temperature=0.7, top_k=20, top_p=0.9, min_p=0.02, repeat_penalty=1.1,
                        presence_penalty=0.3, seed=5, dry_multiplier=0.8, top_n_sigma=1.5, xtc_probability=0.3,
                        samplers=["penalties", "dry", "top_n_sigma", "top_k", "top_p", "min_p", "xtc", "temperature"])
        texts = []
        for body in (silent, explicit, dict(silent, temperature=0), dict(explicit, temperature=0)):
            status, data = self.server.request("POST", "/v1/completions", body)
            self.assertEqual(status, 200, data)
            texts.append(json.loads(data)["choices"][0]["text"])
        self.assertEqual(texts[0], texts[1])
        self.assertEqual(texts[2], texts[3])
        params = json.loads(self.server.request("GET", "/props")[1])["default_generation_settings"]["params"]
        self.assertEqual({k: params[k] for k in ("temperature", "top_k", "top_p", "min_p", "repeat_penalty", "seed")},
                         {"temperature": 0.7, "top_k": 20, "top_p": 0.9, "min_p": 0.02, "repeat_penalty": 1.1,
                          "seed": 5})
        self.assertEqual({k: params[k] for k in ("dry_multiplier", "top_n_sigma", "xtc_probability", "samplers")},
                         {"dry_multiplier": 0.8, "top_n_sigma": 1.5, "xtc_probability": 0.3,
                          "samplers": ["penalties", "dry", "top_n_sigma", "top_k", "top_p", "min_p", "xtc",
                                       "temperature"]})

    def test_each_sampler_field_on_each_endpoint(self):
        """llama-server's sampler fields on /completion, /v1/completions and /v1/chat/completions: a
        good value is answered, the same on a second ask (the seed); a bad one is a 400 naming it."""
        good = {"samplers": "kxt", "dry_multiplier": 1.5, "dry_base": 2.0, "dry_allowed_length": 1,
                "dry_penalty_last_n": 32, "dry_sequence_breakers": ["\n", "."], "xtc_probability": 0.9,
                "xtc_threshold": 0.05, "min_keep": 2, "mirostat": 2, "mirostat_tau": 3.0, "mirostat_eta": 0.2,
                "top_n_sigma": 1.0}
        bad = {"samplers": ["top_k", "infill"], "dry_multiplier": -1, "dry_base": "x", "dry_allowed_length": 1.5,
               "dry_penalty_last_n": -2, "dry_sequence_breakers": [], "xtc_probability": 2, "xtc_threshold": -0.1,
               "min_keep": -1, "mirostat": 3, "mirostat_tau": "five", "mirostat_eta": -1, "top_n_sigma": [1]}
        endpoints = {"/completion": {"prompt": PROMPTS[1], "n_predict": 3},
                     "/v1/completions": {"prompt": PROMPTS[1], "max_tokens": 3},
                     "/v1/chat/completions": {"messages": [{"role": "user", "content": PROMPTS[1]}],
                                              "max_tokens": 3}}
        for path, base in endpoints.items():
            for field, value in good.items():
                answers = [self.server.request("POST", path, dict(base, seed=9, **{field: value})) for _ in range(2)]
                self.assertEqual(answers[0][0], 200, (path, field, answers[0][1]))
                texts = [json.loads(data)["content" if path == "/completion" else "choices"] for _, data in answers]
                self.assertEqual(texts[0], texts[1], (path, field))
                status, data = self.server.request("POST", path, dict(base, **{field: bad[field]}))
                self.assertEqual(status, 400, (path, field, data))
                self.assertEqual(json.loads(data)["error"]["param"], field, data)


class PrefixCache(unittest.TestCase):
    """A chat's next turn resends the conversation: the slot that answered the last turn
    holds it, so only the new tokens are read; the answers are those of the whole prompt
    read from scratch ("cache_prompt": false)."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--parallel", "2", "--ctx-size", "2048", "--metrics")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def chat(self, messages, cache):
        status, data = self.server.request("POST", "/v1/chat/completions",
                                           {"messages": messages, "max_tokens": 20, "temperature": 0,
                                            "cache_prompt": cache})
        self.assertEqual(status, 200, data)
        data = json.loads(data)
        return data["choices"][0]["message"]["content"], data["usage"]

    def test_erasing_the_slots_leaves_nothing_to_reuse(self):
        body = {"prompt": "The slot erase test counts: 1, 2, 3,", "max_tokens": 4, "temperature": 0}
        timings = [json.loads(self.server.request("POST", "/v1/completions", body)[1])["timings"] for _ in range(2)]
        self.assertGreater(timings[1]["cache_n"], 0)  # the second found the first's tokens in its slot
        erased = [json.loads(self.server.request("POST", f"/slots/{i}?action=erase")[1]) for i in (0, 1)]
        self.assertEqual([e["id_slot"] for e in erased], [0, 1])
        self.assertGreater(sum(e["n_erased"] for e in erased), 0)
        after = json.loads(self.server.request("POST", "/v1/completions", body)[1])["timings"]
        self.assertEqual(after["cache_n"], 0)
        for query, status in (("action=save", 501), ("action=restore", 501), ("action=nope", 400), ("", 400)):
            got, data = self.server.request("POST", "/slots/0" + ("?" + query if query else ""))
            self.assertEqual(got, status, data)
        self.assertEqual(self.server.request("POST", "/slots/2?action=erase")[0], 404)  # two slots: 0 and 1

    def test_id_slot_runs_in_that_slot_and_waits_for_it(self):
        body = {"prompt": "The id_slot test counts: 1, 2, 3,", "n_predict": 3, "temperature": 0}
        answers = []
        for slot in (1, 0, 1):
            status, data = self.server.request("POST", "/completion", dict(body, id_slot=slot))
            self.assertEqual(status, 200, data)
            answers.append(json.loads(data))
            self.assertEqual(answers[-1]["id_slot"], slot)
        self.assertGreater(answers[2]["timings"]["cache_n"], 0)  # slot 1 held the prompt
        for bad in (2, -2, "0", 1.5):
            status, data = self.server.request("POST", "/completion", dict(body, id_slot=bad))
            self.assertEqual(status, 400, data)
            self.assertEqual(json.loads(data)["error"]["param"], "id_slot")
        status, data = self.server.request("POST", "/v1/completions",
                                           {"prompt": body["prompt"], "max_tokens": 2, "id_slot": 1})
        self.assertEqual(status, 200, data)
        # A request for a busy slot waits for it, though the other slot is free.
        done = []
        long_body = dict(body, n_predict=120, ignore_eos=True, id_slot=0)
        running = threading.Thread(target=lambda: done.append(self.server.request("POST", "/completion", long_body)))
        running.start()
        while not json.loads(self.server.request("GET", "/slots")[1])[0]["is_processing"]:
            self.assertTrue(running.is_alive(), done)
        status, data = self.server.request("POST", "/completion", dict(body, id_slot=0))
        self.assertEqual((status, json.loads(data)["id_slot"]), (200, 0), data)
        running.join()
        self.assertEqual(json.loads(done[0][1])["tokens_predicted"], 120)

    def test_n_gives_n_choices_each_seeded_by_its_index(self):
        body = {"prompt": "My favourite animal is", "max_tokens": 6, "temperature": 1.0, "seed": 7}
        status, data = self.server.request("POST", "/v1/completions", dict(body, n=3))
        self.assertEqual(status, 200, data)
        data = json.loads(data)
        self.assertEqual([c["index"] for c in data["choices"]], [0, 1, 2])
        # Choice i is the answer of the seed + i alone; the choices differ.
        alone = [json.loads(self.server.request("POST", "/v1/completions", dict(body, seed=7 + i))[1])
                 for i in range(3)]
        self.assertEqual([c["text"] for c in data["choices"]], [a["choices"][0]["text"] for a in alone])
        self.assertGreater(len({c["text"] for c in data["choices"]}), 1)
        self.assertEqual(data["usage"]["completion_tokens"], sum(a["usage"]["completion_tokens"] for a in alone))
        self.assertEqual(data["usage"]["prompt_tokens"], alone[0]["usage"]["prompt_tokens"])
        status, chat = self.server.request("POST", "/v1/chat/completions",
                                           {"messages": [{"role": "user", "content": "Say a colour."}],
                                            "max_tokens": 5, "temperature": 1.0, "n": 2})
        self.assertEqual(status, 200, chat)
        chat = json.loads(chat)
        self.assertEqual([c["index"] for c in chat["choices"]], [0, 1])
        self.assertTrue(all(c["message"]["role"] == "assistant" for c in chat["choices"]))
        for i in (0, 1):  # the conversation test's first turn finds no chat in the slots
            self.server.request("POST", f"/slots/{i}?action=erase")
        for bad in ({"n": 0}, {"n": 17}, {"n": 2, "stream": True}):
            status, data = self.server.request("POST", "/v1/completions", dict(body, **bad))
            self.assertEqual(status, 400, data)
            self.assertEqual(json.loads(data)["error"]["param"], "n")

    def test_turns_reuse_the_conversation_and_answer_the_same(self):
        questions = ["Name a city in France.", "And one in Italy?", "Which of the two is larger?", "Thanks!"]
        before = self_metric(self.server, "lmc_prompt_tokens_cached_total")
        cached, fresh = [], []
        for answers, use_cache in ((cached, True), (fresh, False)):
            messages = []
            for q in questions:
                messages.append({"role": "user", "content": q})
                text, usage = self.chat(messages, use_cache)
                answers.append((text, usage))
                messages.append({"role": "assistant", "content": text})
        self.assertEqual([t for t, _ in cached], [t for t, _ in fresh])
        self.assertEqual([u["prompt_tokens_details"]["cached_tokens"] for _, u in fresh], [0] * len(questions))
        reused = [u["prompt_tokens_details"]["cached_tokens"] for _, u in cached]
        self.assertEqual(reused[0], 0)
        for turn in range(1, len(questions)):
            # All of the last turn's prompt, and of its answer what was fed back.
            previous = cached[turn - 1][1]
            self.assertGreaterEqual(reused[turn], previous["prompt_tokens"], reused)
            self.assertLess(reused[turn], cached[turn][1]["prompt_tokens"], reused)
        self.assertEqual(self_metric(self.server, "lmc_prompt_tokens_cached_total") - before, sum(reused))


def post_with_headers(server, body):
    """(status, the Retry-After header or None, body) of a completion."""
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        c.request("POST", "/v1/completions", body=json.dumps(body),
                  headers={"Content-Type": "application/json", "Authorization": "Bearer " + KEY})
        r = c.getresponse()
        return r.status, r.getheader("Retry-After"), r.read()
    finally:
        c.close()


class LlamaServerBodies(unittest.TestCase):
    """The request bodies a llama-server script sends, each answered 200 as llama-server answers
    it: samplers, DRY, XTC, Mirostat, a GBNF grammar (on /completion and chat, the answer of the
    grammar), n, n_probs on chat, id_slot, chat_template_kwargs, timings_per_token and an unknown
    field."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server("--parallel", "2", "--ctx-size", "1024")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def test_twelve_bodies_are_200_and_grammar_answers_keep_to_it(self):
        chat = {"messages": [{"role": "user", "content": "Is the sky blue? Answer yes or no."}], "max_tokens": 8}
        text = {"prompt": "The capital of France is", "n_predict": 8}
        yes_no = 'root ::= ("yes" | "no") "."'
        bodies = [
            ("/completion", dict(text, samplers=["top_k", "top_p", "min_p", "temperature"], temperature=0.8, seed=1)),
            ("/completion", dict(text, dry_multiplier=0.8, dry_base=1.75, dry_allowed_length=2, seed=1)),
            ("/completion", dict(text, xtc_probability=0.5, xtc_threshold=0.1, seed=1)),
            ("/completion", dict(text, mirostat=2, mirostat_tau=5.0, mirostat_eta=0.1, seed=1)),
            ("/completion", dict(text, grammar=yes_no)),
            ("/v1/chat/completions", dict(chat, grammar=yes_no)),
            ("/v1/completions", {"prompt": "The capital of France is", "max_tokens": 4, "n": 2, "seed": 3}),
            ("/v1/chat/completions", dict(chat, n_probs=3)),
            ("/completion", dict(text, id_slot=1)),
            ("/v1/chat/completions", dict(chat, chat_template_kwargs={"enable_thinking": False})),
            ("/completion", dict(text, timings_per_token=True)),
            ("/v1/chat/completions", dict(chat, foo={"bar": 1})),
        ]
        for path, body in bodies:
            status, data = self.server.request("POST", path, body)
            self.assertEqual(status, 200, (path, body, data))
            answer = json.loads(data)
            if "grammar" in body:
                said = answer["content"] if path == "/completion" else answer["choices"][0]["message"]["content"]
                self.assertIn(said, ("yes.", "no."), (path, answer))
            if "n" in body:
                self.assertEqual(len(answer["choices"]), 2)


class QueueAndShutdown(unittest.TestCase):
    def test_past_the_queue_is_503_and_sigterm_finishes_in_flight(self):
        server = Server("--parallel", "1", "--queue", "1", "--metrics")
        try:
            results = {}

            def long_request(name):
                results[name] = server.request("POST", "/v1/completions",
                                               {"prompt": PROMPTS[1], "max_tokens": 40, "temperature": 0})

            first = threading.Thread(target=long_request, args=("first",))
            first.start()
            deadline = time.time() + 30
            while self_metric(server, "lmc_generations_running") < 1 and time.time() < deadline:
                time.sleep(0.02)
            second = threading.Thread(target=long_request, args=("second",))
            second.start()
            while self_metric(server, "lmc_queue_depth") < 1 and time.time() < deadline:
                time.sleep(0.02)
            status, retry_after, data = post_with_headers(server, {"prompt": "hi", "max_tokens": 2})
            self.assertEqual(status, 503, data)
            self.assertEqual(retry_after, "1", "expected the 503 of a full queue to carry Retry-After: 1")
            self.assertEqual(json.loads(data)["error"]["type"], "server_overloaded")
            server.proc.send_signal(signal.SIGTERM)
            first.join(timeout=120)
            second.join(timeout=120)
            for name in ("first", "second"):
                self.assertEqual(results[name][0], 200, results[name])
                self.assertEqual(json.loads(results[name][1])["usage"]["completion_tokens"], 40)
            self.assertEqual(server.proc.wait(timeout=60), 0)
            self.assertIn("lmc: stopped\n", "".join(server.err))
        finally:
            server.stop()

    def test_a_second_signal_during_the_drain_ends_it_at_once(self):
        """As llama-server: the first SIGINT (or SIGTERM) lets the request in flight finish,
        a second one 0.6 s later ends the server within 0.5 s, exit 1, the request unanswered."""
        for sig in (signal.SIGINT, signal.SIGTERM):
            server = Server("--parallel", "1", "--metrics")
            try:
                body = json.dumps({"prompt": PROMPTS[1], "max_tokens": 2000, "ignore_eos": True, "temperature": 0})
                holder = socket.create_connection(("127.0.0.1", server.port), timeout=60)
                holder.sendall((f"POST /v1/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
                                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                                f"{body}").encode())
                deadline = time.time() + 30
                while self_metric(server, "lmc_generations_running") < 1 and time.time() < deadline:
                    time.sleep(0.02)
                server.proc.send_signal(sig)
                time.sleep(0.6)
                self.assertIsNone(server.proc.poll(), "the first signal drains: the request is still running")
                sent = time.monotonic()
                server.proc.send_signal(sig)
                code = server.proc.wait(timeout=30)
                took = time.monotonic() - sent
                self.assertEqual(code, 1, "".join(server.err))
                self.assertLess(took, 0.5, f"expected the end within 0.5 s of the second signal, it took {took:.2f} s")
                until = time.time() + 5  # stderr's last lines, read by the harness's thread
                while "stopping now" not in "".join(server.err) and time.time() < until:
                    time.sleep(0.02)
                err = "".join(server.err)
                self.assertIn("finishing the requests in flight", err)
                self.assertIn("stopping now", err)
                self.assertNotIn("lmc: stopped\n", err)
                holder.close()
            finally:
                server.stop()

    def test_a_second_signal_kills_the_commands_still_running(self):
        """A tool's command running while the server drains (its generation first, then the
        tools) is killed, its process group whole, when a second signal ends the server."""
        server = Server("--parallel", "1", "--metrics", "--tools", "exec_shell_command")
        folder = tempfile.mkdtemp(prefix="lmc-second-signal-")
        pid_file = os.path.join(folder, "pid")
        try:
            body = json.dumps({"prompt": PROMPTS[1], "max_tokens": 2000, "ignore_eos": True, "temperature": 0})
            holder = socket.create_connection(("127.0.0.1", server.port), timeout=60)
            holder.sendall((f"POST /v1/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
                            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                            f"{body}").encode())
            def run_command():  # its connection ends with the server, unanswered
                try:
                    server.request("POST", "/tools", {"tool": "exec_shell_command", "params": {
                        "command": f"echo $$ > {pid_file}; sleep 50", "timeout": 60}})
                except (OSError, http.client.HTTPException):
                    pass
            command = threading.Thread(target=run_command, daemon=True)
            command.start()
            deadline = time.time() + 30
            while not (os.path.exists(pid_file) and os.path.getsize(pid_file)) and time.time() < deadline:
                time.sleep(0.02)
            with open(pid_file) as f:
                pid = int(f.read())
            server.proc.send_signal(signal.SIGINT)
            time.sleep(0.6)
            server.proc.send_signal(signal.SIGINT)
            self.assertEqual(server.proc.wait(timeout=30), 1, "".join(server.err))

            def gone():  # no such process, or a zombie its new parent has yet to reap
                try:
                    with open(f"/proc/{pid}/stat") as f:
                        return f.read().split()[2] == "Z"
                except FileNotFoundError:
                    return True
            until = time.time() + 5
            while not gone() and time.time() < until:
                time.sleep(0.02)
            self.assertTrue(gone(), "the command still runs after the server ended")
            holder.close()
        finally:
            server.stop()
            shutil.rmtree(folder)

    def test_waiting_past_the_queue_timeout_is_503(self):
        """A request that waits --queue-timeout 1 for the one slot is 503 with Retry-After; the
        slot's own client then leaves, with nothing written to it yet (a whole answer, not a
        stream), and the slot is free within a second."""
        server = Server("--parallel", "1", "--queue-timeout", "1", "--metrics")
        try:
            body = json.dumps({"prompt": PROMPTS[1], "max_tokens": 2000, "ignore_eos": True, "temperature": 0})
            holder = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            holder.sendall((f"POST /v1/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n"
                            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n{body}").encode())
            deadline = time.time() + 30
            while self_metric(server, "lmc_generations_running") < 1 and time.time() < deadline:
                time.sleep(0.02)
            start = time.time()
            status, retry_after, data = post_with_headers(server, {"prompt": "hi", "max_tokens": 2})
            waited = time.time() - start
            self.assertEqual(status, 503, data)
            self.assertEqual(retry_after, "1", "expected the 503 after --queue-timeout to carry Retry-After: 1")
            self.assertIn("--queue-timeout", json.loads(data)["error"]["message"])
            self.assertGreaterEqual(waited, 0.9, f"expected the request to wait its second first, it took {waited:.2f} s")
            self.assertLess(waited, 5, f"expected the 503 about 1 s after the request, it took {waited:.2f} s")
            self.assertEqual(self_metric(server, "lmc_queue_timeouts_total"), 1)
            holder.close()
            left = time.time()
            while self_metric(server, "lmc_generations_running") > 0 and time.time() - left < 1:
                time.sleep(0.02)
            self.assertEqual(self_metric(server, "lmc_generations_running"), 0,
                             "expected the slot free within 1 s of its client leaving")
            self.assertEqual(self_metric(server, "lmc_generations_cancelled_total"), 1)
            self.assertEqual(server.stop(), 0)
        finally:
            server.stop()

if __name__ == "__main__":
    sys.exit(serve.main())
