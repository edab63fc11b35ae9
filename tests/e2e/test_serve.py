#!/usr/bin/env python3
"""lmc serve against clients nobody here wrote: the `openai` Python package (completions,
chat, streaming) and raw HTTP for the requests a client library would never send.

  test_serve.py --lmc build/tools/lmc

On SmolLM2-135M (its GGUF; exit 77 when absent). Each check is bounded: the load test is
16 concurrent clients and 192 requests of a few tokens, on loopback.
  * greedy text from the server equals `lmc run`'s for the same prompt, whole and streamed;
  * chat completions use the model's chat format (streamed deltas add up to the whole answer);
  * the bad-request table: each a 4xx JSON error, the server still answering afterwards;
  * a client that leaves mid-stream frees the model at once (its generation stops);
  * 16 clients x 12 requests on 4 slots (continuous batching: several generations share
    each step): none lost, none mixed up (each text equals its prompt's alone, exactly);
  * seeded sampling, penalties, stop strings, timings, logprobs, token ids and logit bias,
    llama-server's /completion, /props and /slots, one log line per request.

test_serve_flags.py checks the server's flags and bounds (token limits, sampling flags, the
prefix cache, the queue's bound and SIGTERM); serve_harness.py is the server they share.
"""
import json
import math
import os
import re
import socket
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as serve  # noqa: E402
from serve_harness import KEY, PROMPTS, Server, lmc_run_text, self_metric  # noqa: E402


class Serve(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server("--parallel", "4", "--queue", "16", "--ctx-size", "1024", "--metrics")
        cls.model = cls.server.client().models.list().data[0].id

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def complete(self, prompt, n, **kw):
        return self.server.client().completions.create(model=self.model, prompt=prompt, max_tokens=n,
                                                       temperature=0, **kw)

    def test_greedy_completion_equals_lmc_run(self):
        r = self.complete(PROMPTS[0], 12)
        self.assertEqual(r.choices[0].text, lmc_run_text(PROMPTS[0], 12))
        self.assertEqual(r.usage.completion_tokens, 12)
        self.assertEqual(r.choices[0].finish_reason, "length")
        streamed = "".join(c.choices[0].text for c in self.complete(PROMPTS[0], 12, stream=True))
        self.assertEqual(streamed, r.choices[0].text)

    def test_chat_streams_what_it_answers_whole(self):
        messages = [{"role": "system", "content": "You answer in one sentence."},
                    {"role": "user", "content": "Which city is the capital of France?"}]
        c = self.server.client()
        whole = c.chat.completions.create(model=self.model, messages=messages, max_tokens=24, temperature=0)
        text = whole.choices[0].message.content
        self.assertIn("Paris", text)
        self.assertEqual(whole.choices[0].message.role, "assistant")
        chunks = list(c.chat.completions.create(model=self.model, messages=messages, max_tokens=24, temperature=0,
                                                stream=True))
        self.assertEqual("".join(ch.choices[0].delta.content or "" for ch in chunks), text)
        self.assertEqual(chunks[-1].choices[0].finish_reason, whole.choices[0].finish_reason)

    def test_seeded_sampling_repeats(self):
        kw = dict(model=self.model, prompt=PROMPTS[1], max_tokens=10, temperature=0.9, top_p=0.95, seed=7)
        c = self.server.client()
        self.assertEqual(c.completions.create(**kw).choices[0].text, c.completions.create(**kw).choices[0].text)

    def test_a_request_without_sampling_fields_takes_llama_servers_defaults(self):
        defaults = dict(temperature=0.8, top_p=0.95, extra_body={"top_k": 40, "min_p": 0.05})
        c = self.server.client()
        for seed in (3, 4):
            kw = dict(model=self.model, prompt=PROMPTS[2], max_tokens=12, seed=seed)
            self.assertEqual(c.completions.create(**kw).choices[0].text,
                             c.completions.create(**kw, **defaults).choices[0].text)

    def test_penalties_are_honoured(self):
        kw = dict(model=self.model, prompt="1, 1, 1, 1, 1, 1,", max_tokens=8, temperature=0)
        c = self.server.client()
        plain = c.completions.create(**kw).choices[0].text
        penalised = c.completions.create(**kw, frequency_penalty=2.0, presence_penalty=2.0).choices[0].text
        self.assertNotEqual(plain, penalised)
        self.assertEqual(c.completions.create(**kw, extra_body={"repeat_penalty": 1.0}).choices[0].text, plain)

    def test_stop_string_ends_the_text(self):
        r = self.complete("1, 2, 3, 4,", 20, stop=[" 7"])
        self.assertEqual(r.choices[0].finish_reason, "stop")
        self.assertNotIn(" 7", r.choices[0].text)

    def test_timings_as_llama_server_reports_them(self):
        body = {"prompt": PROMPTS[5], "max_tokens": 8, "temperature": 0, "ignore_eos": True}
        status, data = self.server.request("POST", "/v1/completions", body)
        self.assertEqual(status, 200, data)
        data = json.loads(data)
        t, usage = data["timings"], data["usage"]
        self.assertEqual(t["prompt_n"] + t["cache_n"], usage["prompt_tokens"])
        self.assertEqual(t["predicted_n"], usage["completion_tokens"])  # every generated token, as llama-server
        for key in ("prompt_ms", "predicted_ms", "prompt_per_second", "predicted_per_second"):
            self.assertGreater(t[key], 0, key)
        # The first token comes from the prompt's step: the rate is over the decode steps, as llama-server's.
        self.assertAlmostEqual(t["predicted_per_second"], (t["predicted_n"] - 1) * 1e3 / t["predicted_ms"], places=6)
        status, raw = self.server.request("POST", "/v1/completions", dict(body, stream=True))
        events = [json.loads(line[6:]) for line in raw.decode().splitlines()
                  if line.startswith("data: {")]
        self.assertEqual(events[-1]["timings"]["predicted_n"], 8)

    def test_one_log_line_per_request(self):
        self.complete(PROMPTS[6], 3)
        self.server.request("POST", "/v1/completions", {"prompt": "hi", "temperature": 9})
        self.server.request("GET", "/health")
        deadline = time.time() + 10
        want = [r"^lmc: POST /v1/completions 200 \d+ ms, prompt \d+ tokens \(\d+ cached\), 3 generated, length$",
                r"^lmc: POST /v1/completions 400 \d+ ms$", r"^lmc: GET /health 200 \d+ ms$"]
        while time.time() < deadline:
            lines = [line.rstrip("\n") for line in list(self.server.err)]
            if all(any(re.match(w, line) for line in lines) for w in want):
                return
            time.sleep(0.1)
        self.fail("missing log lines:\n" + "".join(self.server.err[-20:]))

    def test_refused_requests_have_a_log_line_too(self):
        """A request refused before any route sees it (413, 431, a malformed request's 400) has
        its one stderr line, saying why and whose (a 408 and a 503 in test_serve_hostile.py)."""
        cases = [(b"POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n" + b"x" * 4096,
                  413, r"^lmc: POST /v1/completions 413 refused, from 127\.0\.0\.1: the request body is larger"),
                 (b"GET /health HTTP/1.1\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n",
                  431, r"^lmc: GET /health 431 refused, from 127\.0\.0\.1: the request's headers are larger"),
                 (b"NOT HTTP AT ALL\r\n\r\n", 400, r"^lmc: - 400 refused, from 127\.0\.0\.1: malformed HTTP request")]
        for raw, status, line in cases:
            with socket.create_connection(("127.0.0.1", self.server.port), timeout=30) as s:
                s.sendall(raw)
                answer = s.recv(4096)
            self.assertTrue(answer.startswith(f"HTTP/1.1 {status} ".encode()), answer[:200])
            deadline = time.time() + 10
            while not any(re.match(line, got) for got in list(self.server.err)) and time.time() < deadline:
                time.sleep(0.05)
            self.assertTrue(any(re.match(line, got) for got in list(self.server.err)),
                            f"no line {line!r} in:\n" + "".join(self.server.err[-10:]))

    def test_any_model_name_is_the_served_model(self):
        r = self.server.client().completions.create(model="gpt-4o", prompt="hi", max_tokens=2, temperature=0)
        self.assertEqual(r.model, self.model)

    def test_bad_requests_are_4xx_json(self):
        long_prompt = "word " * 400
        table = [
            ("POST", "/v1/completions", None, "{not json", 400, "not valid JSON"),
            ("POST", "/v1/completions", {"prompt": 5}, None, 400, "'prompt' must be a string"),
            ("POST", "/v1/completions", {"prompt": "hi", "max_tokens": "ten"}, None, 400, "'max_tokens' must be"),
            ("POST", "/v1/completions", {"prompt": "hi", "max_tokens": -3}, None, 400, "between 1 and 2147483647"),
            ("POST", "/v1/completions", {"prompt": "hi", "max_tokens": 10 ** 30}, None, 400, "'max_tokens'"),
            ("POST", "/v1/completions", {"prompt": "hi", "temperature": "hot"}, None, 400, "'temperature' must be a number"),
            ("POST", "/v1/completions", {"prompt": "hi", "stop": [1]}, None, 400, "'stop'"),
            ("POST", "/v1/completions", {"prompt": long_prompt}, None, 400, "the context holds 256"),
            ("POST", "/v1/chat/completions", {"messages": []}, None, 400, "'messages' must be a non-empty array"),
            ("POST", "/apply-template", {"messages": [{"role": "user", "content": "a"}], "n": 0}, None, 400,
             "'n' must be between 1 and 16"),
            ("POST", "/v1/chat/completions", {"messages": [{"role": "wizard", "content": "a"}]}, None, 400, "role"),
            ("POST", "/v1/completions", None, "x" * (10 << 20), 413, "larger than the server accepts"),
            ("GET", "/v1/nothing", None, None, 404, "no endpoint"),
            # OpenAI's fields lmc does not honour: a 400 naming each, never silently ignored.
            ("POST", "/v1/completions", {"prompt": "hi", "n": 2, "stream": True}, None, 400, "'n' > 1"),
            ("POST", "/v1/completions", {"prompt": "hi", "logprobs": 21}, None, 400, "'logprobs'"),
            ("POST", "/v1/completions", {"prompt": "hi", "echo": True}, None, 400, "'echo'"),
            ("POST", "/v1/completions", {"prompt": "hi", "presence_penalty": 2.5}, None, 400, "'presence_penalty'"),
            ("POST", "/v1/completions", {"prompt": "hi", "typical_p": 0}, None, 400, "'typical_p' must be above 0"),
            ("POST", "/v1/completions", {"prompt": "hi", "repeat_last_n": -2}, None, 400, "'repeat_last_n'"),
            ("POST", "/v1/completions", {"prompt": "hi", "logit_bias": {"99999999": 1}}, None, 400, "'logit_bias'"),
            ("POST", "/v1/completions", {"prompt": "hi", "logit_bias": {"5": 500}}, None, 400, "from -100 to 100"),
            ("POST", "/v1/completions", {"prompt": [1, 2, 99999999]}, None, 400, "'prompt' token ids"),
            ("POST", "/v1/completions", {"prompt": ["a", "b"]}, None, 400, "one prompt a request"),
            ("POST", "/v1/completions", {"prompt": "hi", "stream_options": {"include_usage": True}}, None, 400,
             "needs \"stream\": true"),
            ("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": "a"}],
                                              "tools": [{"type": "function", "function": {"name": ""}}]},
             None, 400, "'tools[0].function.name'"),
            ("POST", "/v1/chat/completions", {"messages": [{"role": "user", "content": "a"}],
                                              "response_format": {"type": "json_schema", "json_schema": {
                                                  "name": "x", "schema": {"type": "string", "pattern": "(a)\\1"}}}},
             None, 400, "a backreference"),
            ("POST", "/tokenize", {"text": "a"}, None, 400, "unrecognized request argument 'text'"),
            ("POST", "/detokenize", {"tokens": [-1]}, None, 400, "'tokens' token ids"),
        ]
        for method, path, body, raw, status, words in table:
            with self.subTest(path=path, body=str(body)[:60], raw=(raw or "")[:20]):
                got, data = self.server.request(method, path, body, raw=raw)
                self.assertEqual(got, status, data[:300])
                self.assertIn(words, json.loads(data)["error"]["message"])
        got, data = self.server.request("POST", "/v1/completions", {"prompt": "hi", "max_tokens": 2}, key=None)
        self.assertEqual(got, 401)
        self.assertEqual(json.loads(data)["error"]["type"], "authentication_error")
        self.assertEqual(self.server.request("GET", "/health", key=None)[0], 200)
        self.assertEqual(self.complete(PROMPTS[0], 2).usage.completion_tokens, 2)  # still serving

    def metric(self, name):
        return self_metric(self.server, name)

    def post(self, path, body):
        status, data = self.server.request("POST", path, body)
        self.assertEqual(status, 200, data)
        return json.loads(data)

    def test_token_ids_logit_bias_and_the_usage_chunk(self):
        ids = self.post("/tokenize", {"content": PROMPTS[0]})["tokens"]
        self.assertEqual(self.post("/detokenize", {"tokens": ids})["content"], PROMPTS[0])
        as_text = self.post("/v1/completions", {"prompt": PROMPTS[0], "max_tokens": 6, "temperature": 0})
        as_ids = self.post("/v1/completions", {"prompt": ids, "max_tokens": 6, "temperature": 0})
        self.assertEqual(as_ids["choices"][0]["text"], as_text["choices"][0]["text"])
        self.assertEqual(as_ids["usage"]["prompt_tokens"], len(ids))
        # The greedy first token, banned: another one comes first.
        first = self.post("/v1/completions", {"prompt": ids, "max_tokens": 1, "temperature": 0})["choices"][0]["text"]
        [first_id] = self.post("/tokenize", {"content": first})["tokens"]
        banned = self.post("/v1/completions", {"prompt": ids, "max_tokens": 1, "temperature": 0,
                                                "logit_bias": {str(first_id): -100}})["choices"][0]["text"]
        self.assertNotEqual(banned, first)
        # Every token banned: nothing could be generated, a 400 saying so (not the unbiased text
        # that one shift shared by every token leaves); all but one banned: that one is the text.
        vocab = json.loads(self.server.request("GET", "/v1/models")[1])["data"][0]["meta"]["n_vocab"]
        for path, bias in (("/v1/completions", {str(i): -100 for i in range(vocab)}),
                           ("/completion", [[i, False] for i in range(vocab)])):
            status, data = self.server.request("POST", path, {"prompt": ids, "max_tokens": 2, "logit_bias": bias})
            self.assertEqual(status, 400, data[:300])
            self.assertIn("every token is banned", json.loads(data)["error"]["message"])
        allowed = {str(i): -100 for i in range(vocab) if i != first_id}
        only = self.post("/v1/completions", {"prompt": ids, "max_tokens": 2, "temperature": 0, "logit_bias": allowed})
        self.assertEqual(only["choices"][0]["text"], first * 2)
        chunks = list(self.server.client().completions.create(model=self.model, prompt=PROMPTS[0], max_tokens=4,
                                                              temperature=0, stream=True,
                                                              stream_options={"include_usage": True}))
        self.assertEqual(chunks[-1].choices, [])
        self.assertEqual(chunks[-1].usage.completion_tokens, 4)

    def open_stream(self, path, body):
        """A streamed request on a raw socket, returned once its first event has come."""
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=60)
        data = json.dumps(body).encode()
        s.sendall(b"POST " + path.encode() + b" HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  b"Authorization: Bearer " + KEY.encode() + b"\r\nContent-Length: " + str(len(data)).encode() +
                  b"\r\n\r\n" + data)
        received = b""
        while b"data: " not in received:
            piece = s.recv(4096)
            self.assertTrue(piece, "the stream ended before its first event")
            received += piece
        return s

    def test_llama_server_completion_endpoint(self):
        openai_text = self.complete(PROMPTS[3], 10).choices[0].text
        whole = self.post("/completion", {"prompt": PROMPTS[3], "n_predict": 10, "temperature": 0, "seed": -1})
        self.assertEqual(whole["content"], openai_text)
        self.assertEqual((whole["stop"], whole["stop_type"], whole["tokens_predicted"]), (True, "limit", 10))
        self.assertEqual(whole["generation_settings"]["n_predict"], 10)
        self.assertEqual(whole["timings"]["predicted_n"], 10)
        status, raw = self.server.request("POST", "/completion", {"prompt": PROMPTS[3], "n_predict": 10,
                                                                  "temperature": 0, "stream": True})
        events = [json.loads(line[6:]) for line in raw.decode().splitlines() if line.startswith("data: ")]
        self.assertEqual("".join(e["content"] for e in events), openai_text)
        self.assertEqual([e["stop"] for e in events], [False] * (len(events) - 1) + [True])
        # Each piece as llama-server streams it: the tokens that made it, the counts so far.
        pieces = events[:-1]
        self.assertTrue(all(e["tokens"] and all(isinstance(t, int) for t in e["tokens"]) for e in pieces), pieces)
        self.assertEqual([e["tokens_predicted"] for e in pieces],
                         [sum(len(p["tokens"]) for p in pieces[:i + 1]) for i in range(len(pieces))])
        self.assertLessEqual(pieces[-1]["tokens_predicted"], 10)
        self.assertTrue(all(e["tokens_evaluated"] > 0 for e in pieces))
        self.assertNotIn("[DONE]", raw.decode())
        word = self.post("/completion", {"prompt": "1, 2, 3, 4,", "n_predict": 20, "temperature": 0, "stop": [" 7"]})
        self.assertEqual((word["stop_type"], word["stopping_word"]), ("word", " 7"))
        self.assertNotIn(" 7", word["content"])
        for body, param in (({"prompt": "x", "n_probs": 30}, "n_probs"), ({"prompt": "x", "n_predict": 0}, "n_predict"),
                            ({"prompt": "x", "mirostat": 3}, "mirostat")):
            status, data = self.server.request("POST", "/completion", body)
            self.assertEqual(status, 400, data)
            self.assertEqual(json.loads(data)["error"]["param"], param)

    def test_logprobs_are_lmc_runs_own_distribution(self):
        import numpy as np
        import tempfile
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "logits.npy")
            subprocess.run([serve.LMC, "run", serve.MODEL, "--prompt", PROMPTS[0], "--max-tokens", "4", "--logits-out", path],
                           capture_output=True, check=True)
            rows = np.load(path).astype(np.float64)
        # The rows that chose the 4 tokens: the prompt's last, then each decode step's.
        rows = rows[-4:]
        expected = rows - rows.max(axis=1, keepdims=True)
        expected -= np.log(np.exp(expected).sum(axis=1, keepdims=True))
        top = np.argsort(-expected, axis=1, kind="stable")[:, :3]
        ids = self.post("/tokenize", {"content": PROMPTS[0]})["tokens"]
        whole = self.post("/v1/completions", {"prompt": PROMPTS[0], "max_tokens": 4, "temperature": 0, "logprobs": 3})
        lp = whole["choices"][0]["logprobs"]
        self.assertEqual("".join(lp["tokens"]), whole["choices"][0]["text"])
        self.assertEqual(lp["text_offset"][0], len(PROMPTS[0]))
        for i in range(4):
            self.assertAlmostEqual(lp["token_logprobs"][i], expected[i].max(), places=3)
            self.assertEqual(len(lp["top_logprobs"][i]), 3)
            self.assertLessEqual(sum(math.exp(v) for v in lp["top_logprobs"][i].values()), 1 + 1e-6)
        chat = self.server.client().chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": PROMPTS[1]}], max_tokens=4, temperature=0,
            logprobs=True, top_logprobs=2)
        content = chat.choices[0].logprobs.content
        self.assertEqual("".join(t.token for t in content), chat.choices[0].message.content)
        for t in content:
            self.assertEqual(t.top_logprobs[0].logprob, t.logprob)  # greedy: the chosen is the likeliest
            self.assertEqual(bytes(t.bytes).decode(errors="replace"), t.token)
        streamed = [c.choices[0].logprobs for c in self.server.client().chat.completions.create(
            model=self.model, messages=[{"role": "user", "content": PROMPTS[1]}], max_tokens=4, temperature=0,
            logprobs=True, top_logprobs=2, stream=True) if c.choices and c.choices[0].logprobs]
        self.assertEqual([t.logprob for lp in streamed for t in lp.content], [t.logprob for t in content])
        llama = self.post("/completion", {"prompt": ids, "n_predict": 4, "temperature": 0, "n_probs": 3})
        probs = llama["completion_probabilities"]
        self.assertEqual([p["id"] for p in probs], list(top[:, 0]))
        self.assertEqual([[t["id"] for t in p["top_logprobs"]] for p in probs], top.tolist())
        for p, row in zip(probs, expected):
            for t in p["top_logprobs"]:
                self.assertAlmostEqual(t["logprob"], row[t["id"]], places=3)
        status, data = self.server.request("POST", "/v1/chat/completions", {
            "messages": [{"role": "user", "content": "hi"}], "top_logprobs": 2})
        self.assertEqual((status, json.loads(data)["error"]["param"]), (400, "top_logprobs"))
        # llama-server's n_probs on chat: the same log-probabilities, in the chat's shape.
        n_probs = self.post("/v1/chat/completions", {"messages": [{"role": "user", "content": PROMPTS[1]}],
                                                     "max_tokens": 4, "temperature": 0, "n_probs": 2})
        self.assertEqual([t["logprob"] for t in n_probs["choices"][0]["logprobs"]["content"]],
                         [t.logprob for t in content])
        self.assertEqual([len(t["top_logprobs"]) for t in n_probs["choices"][0]["logprobs"]["content"]], [2] * 4)
        status, data = self.server.request("POST", "/v1/chat/completions", {
            "messages": [{"role": "user", "content": "hi"}], "n_probs": 2, "logprobs": True})
        self.assertEqual((status, json.loads(data)["error"]["param"]), (400, "n_probs"))

    def test_props_and_slots_show_the_server_and_what_runs(self):
        status, data = self.server.request("GET", "/props")
        self.assertEqual(status, 200, data)
        props = json.loads(data)
        self.assertEqual(props["total_slots"], 4)
        settings = props["default_generation_settings"]
        self.assertEqual(settings["n_ctx"], 256)
        self.assertEqual({k: settings["params"][k] for k in ("temperature", "top_k", "top_p", "min_p", "seed")},
                         {"temperature": 0.8, "top_k": 40, "top_p": 0.95, "min_p": 0.05, "seed": -1})
        # While a stream runs, its slot shows it; when it ends, every slot is idle again.
        s = self.open_stream("/completion", {"prompt": PROMPTS[7], "n_predict": 200, "temperature": 0,
                                             "stream": True, "ignore_eos": True})
        slots = json.loads(self.server.request("GET", "/slots")[1])
        self.assertEqual([x["id"] for x in slots], [0, 1, 2, 3])
        busy = [x for x in slots if x["is_processing"]]
        self.assertEqual(len(busy), 1, slots)
        # llama-server's fields of what runs on the busy slot; an idle one shows the last task it ran, if any.
        self.assertEqual(set(busy[0]["next_token"][0]), {"has_next_token", "has_new_line", "n_remain", "n_decoded",
                                                         "stopping_word"})
        self.assertIn("temperature", busy[0]["params"])
        self.assertTrue(all(not x["next_token"][0]["has_next_token"] for x in slots
                            if not x["is_processing"] and "next_token" in x))
        self.assertEqual(busy[0]["params"]["n_predict"], 200)
        self.assertGreater(busy[0]["n_prompt_tokens"], 0)
        s.close()
        deadline = time.time() + 60
        while any(x["is_processing"] for x in json.loads(self.server.request("GET", "/slots")[1])):
            self.assertLess(time.time(), deadline, "the slot stayed busy after its client left")
            time.sleep(0.1)

    def test_llama_server_shapes_of_errors_limits_and_metrics(self):
        # llama-server's error body: the status as a numeric code; a prompt past the context is its
        # exceed_context_size_error with the counts.
        status, data = self.server.request("POST", "/v1/completions", {"prompt": "word " * 400})
        error = json.loads(data)["error"]
        self.assertEqual((status, error["code"], error["type"], error["n_ctx"]),
                         (400, 400, "exceed_context_size_error", 256))
        self.assertGreater(error["n_prompt_tokens"], 256)
        status, data = self.server.request("GET", "/nowhere")
        self.assertEqual((status, json.loads(data)["error"]["code"]), (404, 404))
        # More tokens than the context holds is a request, not an error: generation ends at the context.
        status, data = self.server.request("POST", "/completion", {"prompt": PROMPTS[0], "n_predict": 5000,
                                                                   "temperature": 0, "ignore_eos": True})
        self.assertEqual(status, 200, data)
        done = json.loads(data)
        self.assertEqual(done["stop_type"], "limit")
        self.assertEqual(done["tokens_predicted"] + done["tokens_evaluated"], 256)
        status, data = self.server.request("POST", "/v1/completions", {"prompt": PROMPTS[0], "max_tokens": 5000,
                                                                       "temperature": 0, "ignore_eos": True})
        self.assertEqual(status, 200, data)
        self.assertEqual(json.loads(data)["choices"][0]["finish_reason"], "length")
        # Dashboards written for llama-server read its names.
        _, text = self.server.request("GET", "/metrics")
        for name in ("prompt_tokens_total", "prompt_seconds_total", "tokens_predicted_total",
                     "tokens_predicted_seconds_total", "n_decode_total", "prompt_tokens_seconds",
                     "predicted_tokens_seconds", "requests_processing", "requests_deferred"):
            self.assertIn(f"\n# TYPE llamacpp:{name} ", text.decode())
        self.assertEqual(self.metric("llamacpp:tokens_predicted_total"), self.metric("lmc_generated_tokens_total"))
        self.assertGreater(self.metric("llamacpp:n_decode_total"), 0)

    def test_a_client_leaving_mid_stream_frees_the_model(self):
        before = self.metric("lmc_generated_tokens_total")
        self.open_stream("/v1/completions", {"prompt": PROMPTS[1], "max_tokens": 240, "temperature": 0,
                                             "stream": True}).close()
        # The next request is answered, and the one that was left generated far fewer than 240.
        self.assertEqual(self.complete(PROMPTS[2], 2).usage.completion_tokens, 2)
        self.assertLess(self.metric("lmc_generated_tokens_total") - before, 120)

    def test_load_none_lost_none_mixed(self):
        expected = {p: self.complete(p, 6).choices[0].text for p in PROMPTS}
        failures, done = [], []

        def client(k):
            c = self.server.client()
            for j in range(12):
                p = PROMPTS[(k + j) % len(PROMPTS)]
                try:
                    if j % 3 == 0:
                        text = "".join(ch.choices[0].text for ch in c.completions.create(
                            model=self.model, prompt=p, max_tokens=6, temperature=0, stream=True))
                    else:
                        text = c.completions.create(model=self.model, prompt=p, max_tokens=6,
                                                    temperature=0).choices[0].text
                    (done if text == expected[p] else failures).append((k, j, p, text))
                except Exception as e:  # noqa: BLE001 - every failure is reported below
                    failures.append((k, j, p, repr(e)))

        running, finished = [], threading.Event()

        def watch():  # how many generations share the model's steps
            while not finished.is_set():
                running.append(self.metric("lmc_generations_running"))
                time.sleep(0.05)

        watcher = threading.Thread(target=watch)
        watcher.start()
        threads = [threading.Thread(target=client, args=(k,)) for k in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)
        finished.set()
        watcher.join()
        self.assertEqual(failures, [])
        self.assertEqual(len(done), 16 * 12)
        self.assertEqual(max(running), 4, "16 clients should keep all 4 slots busy")
        self.assertGreater(self.metric("lmc_busy_seconds_total"), 0)


if __name__ == "__main__":
    sys.exit(serve.main())
