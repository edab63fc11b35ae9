#!/usr/bin/env python3
"""lmc serve as llama-server's own test suite reads it: its request forms, OpenAI's Responses
API, the streamed telemetry and the server state it reports.

  test_serve_llama_forms.py --lmc build/tools/lmc

On SmolLM2-135M (its GGUF; exit 77 when absent), one server with llama-server's flags:
  * /completion's prompt forms: several prompts (answered as an array, each as its own request
    would be), token ids mixed with text, {"prompt_string"}; return_tokens; the refused forms;
  * POST /v1/responses whole and streamed (its events, through the openai package), and
    /v1/responses/input_tokens; what a chat cannot stand for is a 400;
  * return_progress and timings_per_token on streamed /completion and chat; post_sampling_probs;
  * /metrics in llama-server's names and header, its timings' rates over the decode steps, its
    throughput gauges over the window between scrapes;
  * response_format's json_object with a schema, a json_schema without a name, a chat's json_schema;
  * --alias with several names and --tags in /v1/models, Anthropic's X-Api-Key, __verbose,
    /chat/completions/input_tokens, system_fingerprint, /tokenize's with_pieces, ignore_eos's
    banned end-of-generation tokens in generation_settings, /slots of idle
    slots (their last task's params), and --sleep-idle-seconds in /props;
  * /completion's prompt and tokens_cached, temperatures outside 0-2 and dynatemp, /v1/models'
    meta and models, /props' endpoint_* and ui, as llama-server's;
  * --reasoning as chat templates' enable_thinking, their date_string and datetime, --verbose;
  * what templates see of messages: reasoning_content and Anthropic's thinking, a continued
    answer's text parts; Anthropic's images refused (500, as llama-server without a projector);
  * /metrics a 501 without --metrics; Vertex AI's predict route (AIP_MODE=PREDICTION); several
    --host addresses;
  * without a model and without --models-dir (llama-server's router command line): /health, an
    empty /v1/models, the router's /props, --cors-origins' preflights, and a 400 for a request
    that names no model (test_serve_router.py tests the router with models).
"""
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as serve  # noqa: E402
from serve_harness import KEY, PROMPTS  # noqa: E402

CHAT = [{"role": "system", "content": "Book"}, {"role": "user", "content": "What is the best book"}]


def events(raw):
    return [json.loads(line[6:]) for line in raw.decode().splitlines() if line.startswith("data: {")]


class LlamaForms(serve.ServedTestCase):
    FLAGS = ("--parallel", "2", "--ctx-size", "1024", "--alias", "zeta-name,alpha-name", "--tags", "chat,small",
             "--sleep-idle-seconds", "2", "--metrics")

    def post(self, path, body, status=200):
        got, data = self.server.request("POST", path, body)
        self.assertEqual(got, status, data)
        return json.loads(data)

    def test_several_prompts_mixed_forms_and_return_tokens(self):
        text = PROMPTS[0]
        tokens = self.post("/tokenize", {"content": text, "add_special": True})["tokens"]
        one = self.post("/completion", {"prompt": tokens, "n_predict": 6, "temperature": 0, "return_tokens": True})
        self.assertEqual(self.post("/detokenize", {"tokens": one["tokens"]})["content"], one["content"])
        for prompt in ([tokens, tokens], [tokens, text], [tokens, {"prompt_string": text}]):
            many = self.post("/completion", {"prompt": prompt, "n_predict": 6, "temperature": 0})
            self.assertIsInstance(many, list)
            self.assertEqual([m["content"] for m in many], [one["content"]] * 2, prompt)
            self.assertEqual([m["index"] for m in many], [0, 1])
        mixed = self.post("/completion", {"prompt": tokens[:2] + [text[6:]], "n_predict": 4, "temperature": 0})
        self.assertIsInstance(mixed["content"], str)
        self.assertEqual(mixed["tokens"], [])  # only with return_tokens
        for body, param in (({"prompt": []}, "prompt"), ({"prompt": [{"prompt_string": "x", "multimodal_data": ["AA"]}]},
                                                          "prompt[0].multimodal_data"),
                            ({"prompt": ["a", "b"], "stream": True}, "stream"), ({"prompt": [1, 10 ** 9]}, "prompt[1]"),
                            ({"prompt": [{"text": "x"}]}, "prompt[0]")):
            error = self.post("/completion", body, 400)["error"]
            self.assertEqual(error["param"], param, body)

    def test_responses_api_whole_streamed_and_counted(self):
        client = self.server.client()
        chat = client.chat.completions.create(model="m", messages=CHAT, max_tokens=8, temperature=0)
        r = client.responses.create(model="m", input=CHAT, max_output_tokens=8, temperature=0)
        self.assertTrue(r.id.startswith("resp_") and r.output[0].id.startswith("msg_"))
        self.assertEqual(r.output_text, chat.choices[0].message.content)
        self.assertEqual((r.usage.input_tokens, r.usage.output_tokens),
                         (chat.usage.prompt_tokens, chat.usage.completion_tokens))
        kinds, text, items, done = [], "", set(), None
        for e in client.responses.create(model="m", input=CHAT, max_output_tokens=8, temperature=0, stream=True):
            kinds.append(e.type)
            if e.type == "response.output_text.delta":
                text += e.delta
                items.add(e.item_id)
            if e.type == "response.completed":
                done = e.response
        self.assertEqual(items, {done.output[0].id})
        self.assertEqual(kinds[:4], ["response.created", "response.in_progress", "response.output_item.added",
                                     "response.content_part.added"])
        self.assertEqual(kinds[-4:], ["response.output_text.done", "response.content_part.done",
                                      "response.output_item.done", "response.completed"])
        self.assertEqual((text, done.output_text), (r.output_text, r.output_text))
        # A string input with instructions is the chat of a system and a user message.
        counted = self.post("/v1/responses/input_tokens", {"input": "What is the best book", "instructions": "Book"})
        self.assertEqual(counted["input_tokens"], self.post("/chat/completions/input_tokens",
                                                            {"messages": CHAT})["input_tokens"])
        for body, param in (({"input": "x", "tools": [{"type": "function", "name": "f"}]}, "tools"),
                            ({"input": "x", "previous_response_id": "resp_1"}, "previous_response_id"),
                            ({"input": [{"role": "user", "content": [{"type": "input_image"}]}]},
                             "input[0].content[0].image_url"),
                            ({"input": [{"role": "user", "content": [{"type": "input_file", "file_id": "f"}]}]},
                             "input[0].content[0]"), ({}, "input")):
            self.assertEqual(self.post("/v1/responses", body, 400)["error"]["param"], param, body)

    def test_progress_and_timings_per_token_when_streamed(self):
        prompt = "the quick brown fox jumps over the lazy dog " * 30
        status, raw = self.server.request("POST", "/completion", {"prompt": prompt, "n_predict": 4, "stream": True,
                                                                  "return_progress": True, "timings_per_token": True})
        self.assertEqual(status, 200, raw)
        progress = [e for e in events(raw) if "prompt_progress" in e]
        self.assertGreater(len(progress), 1)  # the prompt takes more than one step
        first, last = progress[0], progress[-1]["prompt_progress"]
        self.assertEqual(first["prompt_progress"]["processed"], first["prompt_progress"]["cache"])
        self.assertEqual((first["timings"]["prompt_n"], first["timings"]["predicted_n"]), (0, 0))
        self.assertEqual(last["processed"], last["total"])
        self.assertEqual([p["prompt_progress"]["total"] for p in progress], [last["total"]] * len(progress))
        processed = [p["prompt_progress"]["processed"] for p in progress]
        self.assertEqual(processed, sorted(set(processed)))
        pieces = [e for e in events(raw) if "prompt_progress" not in e and not e["stop"]]
        self.assertTrue(pieces and all(e["timings"]["predicted_n"] == e["tokens_predicted"] for e in pieces), pieces)
        # Without them, no progress events and no timings but the last one's.
        status, raw = self.server.request("POST", "/completion", {"prompt": prompt, "n_predict": 2, "stream": True})
        self.assertEqual([("prompt_progress" in e, "timings" in e) for e in events(raw)][:-1],
                         [(False, False)] * (len(events(raw)) - 1))
        status, raw = self.server.request("POST", "/chat/completions", {
            "messages": [{"role": "user", "content": prompt}], "max_tokens": 3, "stream": True, "return_progress": True})
        chunks = events(raw)
        progress = [c for c in chunks if "prompt_progress" in c]
        self.assertTrue(progress and all(c["choices"][0]["delta"]["role"] == "assistant" for c in progress))
        self.assertEqual(progress[-1]["prompt_progress"]["processed"], progress[-1]["prompt_progress"]["total"])

    def test_metrics_in_llama_server_names(self):
        self.post("/completion", {"prompt": PROMPTS[1], "n_predict": 1})
        t = self.post("/completion", {"prompt": PROMPTS[1], "n_predict": 9, "ignore_eos": True})["timings"]
        # The first token comes from the prompt's step: the rates are over the 8 decode steps.
        self.assertAlmostEqual(t["predicted_per_second"], 8e3 / t["predicted_ms"], places=6)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        conn.request("GET", "/metrics", headers={"Authorization": "Bearer " + KEY})
        answer = conn.getresponse()
        text = answer.read().decode()
        conn.close()
        self.assertLessEqual(int(answer.getheader("Process-Start-Time-Unix")), time.time())
        for name, kind in (("prompt_tokens_total", "counter"), ("prompt_tokens_cached_total", "counter"),
                           ("n_tokens_max", "counter"), ("spec_decode_num_drafts_total", "counter"),
                           ("n_busy_slots_per_decode", "gauge"), ("requests_processing", "gauge")):
            self.assertIn(f"\n# TYPE llamacpp:{name} {kind}\n", text)
        metric = lambda n: serve.self_metric(self.server, n)  # noqa: E731
        self.assertEqual(metric("llamacpp:prompt_tokens_total") + metric("llamacpp:prompt_tokens_cached_total"),
                         metric("lmc_prompt_tokens_total"))
        self.assertGreaterEqual(metric("llamacpp:n_tokens_max"), 9)
        self.assertGreaterEqual(metric("llamacpp:n_busy_slots_per_decode"), 1)
        # The throughput gauges are over the window since the scrape before, as llama-server's buckets.
        self.post("/completion", {"prompt": PROMPTS[1], "n_predict": 4, "ignore_eos": True})
        self.assertGreater(metric("llamacpp:predicted_tokens_seconds"), 0)
        self.assertEqual(metric("llamacpp:predicted_tokens_seconds"), 0)

    def test_post_sampling_probs(self):
        # The distribution each token was drawn from: top_k 3 leaves three candidates, whose
        # probabilities at the temperature sum to 1.
        body = {"prompt": PROMPTS[2], "n_predict": 4, "n_probs": 5, "temperature": 1.0, "top_k": 3, "seed": 7,
                "post_sampling_probs": True}
        for probs in self.post("/completion", body)["completion_probabilities"]:
            self.assertNotIn("top_logprobs", probs)
            self.assertTrue(1 <= len(probs["top_probs"]) <= 3, probs)
            self.assertAlmostEqual(sum(t["prob"] for t in probs["top_probs"]), 1.0, places=5)
            self.assertIn(probs["prob"], [t["prob"] for t in probs["top_probs"] if t["id"] == probs["id"]])
        chat = self.post("/chat/completions", {"messages": CHAT, "max_tokens": 3, "temperature": 0, "n_probs": 2,
                                               "post_sampling_probs": True})
        for t in chat["choices"][0]["logprobs"]["content"]:  # greedy: one candidate, certain
            self.assertEqual((t["prob"], [p["prob"] for p in t["top_probs"]]), (1.0, [1.0]))

    def test_response_format_forms(self):
        def content(**kw):
            body = self.post("/chat/completions", {"messages": CHAT, "max_tokens": 10, **kw})
            return body["choices"][0]["message"]["content"]
        self.assertEqual(content(response_format={"type": "json_object", "schema": {"const": "42"}}), '"42"')
        self.assertEqual(content(response_format={"type": "json_schema", "json_schema": {"schema": {"const": "ok"}}}),
                         '"ok"')
        self.assertEqual(content(json_schema={"const": "x"}), '"x"')
        for fmt in ({"type": "sound"}, {"type": "json_object", "schema": 123},
                    {"type": "json_object", "schema": {"type": "hiccup"}}):
            self.assertIn("error", self.post("/chat/completions", {"messages": CHAT, "response_format": fmt}, 400))

    def test_names_key_header_verbose_and_fingerprint(self):
        model = self.server.client().models.list().data[0]
        self.assertEqual(model.id, "alpha-name")  # the first alias in sorted order, as llama-server
        self.assertEqual((model.aliases, model.tags), (["alpha-name", "zeta-name"], ["chat", "small"]))
        for key, status in ((KEY, 200), ("wrong", 401)):
            c = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
            c.request("POST", "/completion", body=json.dumps({"prompt": "x", "n_predict": 1}),
                      headers={"X-Api-Key": key, "Content-Type": "application/json"})
            self.assertEqual(c.getresponse().status, status)
            c.close()
        body = self.post("/chat/completions", {"messages": CHAT, "max_tokens": 2, "verbose": True})
        self.assertIn("Book", body["__verbose"]["prompt"])
        self.assertTrue(body["system_fingerprint"].startswith("b"))
        self.assertNotIn("__verbose", self.post("/chat/completions", {"messages": CHAT, "max_tokens": 2}))
        self.assertGreater(self.post("/chat/completions/input_tokens", {"messages": CHAT})["input_tokens"], 5)

    def test_ignore_eos_bans_the_end_of_generation_tokens(self):
        body = {"prompt": PROMPTS[1], "n_predict": 4, "temperature": 0}
        banned = self.post("/completion", dict(body, ignore_eos=True))["generation_settings"]["logit_bias"]
        self.assertTrue(banned and all(b["bias"] is None for b in banned), banned)  # -inf, as llama-server shows it
        self.assertEqual(self.post("/completion", body)["generation_settings"]["logit_bias"], [])

    def test_tokenize_with_pieces(self):
        content = "This is a test string with unicode 媽 and emoji 🤗"
        pieces = self.post("/tokenize", {"content": content, "with_pieces": True})["tokens"]
        self.assertEqual([p["id"] for p in pieces], self.post("/tokenize", {"content": content})["tokens"])
        joined = b"".join(p["piece"].encode() if isinstance(p["piece"], str) else bytes(p["piece"]) for p in pieces)
        self.assertEqual(joined.decode(), content)

    def test_slots_show_what_runs_or_ran(self):
        # As llama-server's: a slot that never ran a task shows four fields; an idle one that did,
        # its last task's too. lmc adds the KV pages the slot holds and shares, and the prompt
        # tokens its task did not read.
        never = sorted(["id", "is_processing", "n_ctx", "speculative", "n_kv_pages", "n_kv_pages_shared"])
        ran = sorted(never + ["id_task", "params", "n_prompt_tokens", "n_prompt_tokens_cache", "next_token"])
        self.assertTrue(all(sorted(s) in (never, ran) for s in json.loads(self.server.request("GET", "/slots")[1])))
        self.post("/completion", {"prompt": PROMPTS[0], "n_predict": 3, "id_slot": 0, "temperature": -1})
        slot = json.loads(self.server.request("GET", "/slots")[1])[0]
        self.assertEqual(sorted(slot), ran)
        self.assertFalse(slot["is_processing"])
        self.assertEqual((slot["params"]["n_predict"], slot["params"]["temperature"]), (3, 0))
        self.assertFalse(slot["next_token"][0]["has_next_token"])

    def test_completion_prompt_tokens_cached_and_temperatures(self):
        # llama-server's: the prompt's tokens as text, the tokens the slot holds after the answer
        # (all but its last), and any temperature: at or below 0 greedy, 5 allowed.
        greedy = self.post("/completion", {"prompt": PROMPTS[1], "n_predict": 6, "temperature": 0})
        below = self.post("/completion", {"prompt": PROMPTS[1], "n_predict": 6, "temperature": -1, "top_k": -1})
        self.assertEqual(below["content"], greedy["content"])
        self.assertEqual(below["prompt"], PROMPTS[1])
        self.assertEqual(below["tokens_cached"], below["tokens_evaluated"] + below["tokens_predicted"] - 1)
        hot = self.post("/completion", {"prompt": PROMPTS[1], "n_predict": 2, "temperature": 5, "seed": 1,
                                        "dynatemp_range": 0.5, "dynatemp_exponent": 2})
        self.assertEqual(hot["generation_settings"]["temperature"], 5)
        self.assertEqual((hot["generation_settings"]["dynatemp_range"],
                          hot["generation_settings"]["dynatemp_exponent"]), (0.5, 2))

    def test_models_props_in_llama_servers_shape(self):
        models = json.loads(self.server.request("GET", "/v1/models")[1])
        self.assertEqual(sorted(models), ["data", "models", "object"])
        self.assertEqual(models["models"][0]["name"], models["data"][0]["id"])
        meta = models["data"][0]["meta"]
        self.assertEqual(sorted(meta), ["ftype", "n_ctx", "n_ctx_train", "n_embd", "n_params", "n_vocab", "size",
                                        "vocab_type"])
        slot_ctx = json.loads(self.server.request("GET", "/slots")[1])[0]["n_ctx"]
        self.assertEqual((meta["vocab_type"], meta["ftype"], meta["n_ctx"]), (2, "Q4_1", slot_ctx))  # byte-level BPE
        props = json.loads(self.server.request("GET", "/props")[1])
        self.assertEqual({k: props[k] for k in ("endpoint_slots", "endpoint_props", "endpoint_metrics", "ui")},
                         {"endpoint_slots": True, "endpoint_props": True, "endpoint_metrics": True, "ui": True})

    def test_sleep_after_idle_seconds(self):
        props = lambda: json.loads(self.server.request("GET", "/props")[1])  # noqa: E731
        deadline = time.time() + 30
        while not props()["is_sleeping"]:
            self.assertLess(time.time(), deadline, "the server did not report sleeping after 2 idle seconds")
            time.sleep(0.2)
        for path in ("/health", "/v1/models", "/metrics", "/slots"):  # reading the state leaves it asleep
            self.server.request("GET", path)
        self.assertTrue(props()["is_sleeping"])
        self.post("/tokenize", {"content": "Hello"})
        self.assertFalse(props()["is_sleeping"])


class TemplateVariables(unittest.TestCase):
    """--reasoning as templates read it (enable_thinking), today's date as llama.cpp gives it, a
    string plus an undefined variable as llama.cpp's Jinja reads it, and --verbose's __verbose on
    every answer."""

    def test_reasoning_switch_dates_and_verbose(self):
        import datetime
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".jinja", delete=False) as f:
            # llama.cpp's Jinja reads a string plus a variable it does not give as the string
            # (firefunction-v2's `functions`).
            f.write("{{ date_string + functions }}|{{ datetime }}|{{ 'think' if enable_thinking else 'quiet' }}|"
                    "{% for m in messages %}{{ m.content }}{% endfor %}")
        try:
            for flags, mode in (((), "think"), (("--reasoning", "off"), "quiet"), (("-rea", "on"), "think")):
                server = serve.Server("--chat-template-file", f.name, "--verbose", *flags)
                try:
                    status, data = server.request("POST", "/apply-template", {"messages": CHAT})
                    today = datetime.date.today()
                    self.assertEqual(json.loads(data)["prompt"], f"{today.strftime('%d %b %Y')}|"
                                     f"{today.strftime('%b %d %Y')}|{mode}|BookWhat is the best book")
                    status, data = server.request("POST", "/v1/chat/completions", {"messages": CHAT, "max_tokens": 1})
                    self.assertIn(f"|{mode}|", json.loads(data)["__verbose"]["prompt"])
                finally:
                    server.stop()
        finally:
            os.unlink(f.name)


class MessagesAsTemplatesSeeThem(unittest.TestCase):
    """What a template is given of the messages: earlier reasoning (OpenAI's reasoning_content,
    Anthropic's thinking blocks), a continued answer's text parts joined by blank lines; and
    Anthropic's images refused for a model of text."""

    @classmethod
    def setUpClass(cls):
        import tempfile
        with tempfile.NamedTemporaryFile("w", suffix=".jinja", delete=False) as f:
            f.write("{% for m in messages %}{{ m.role }}:{{ m.reasoning_content | default('') }}|{{ m.content }};"
                    "{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}")
        cls.template = f.name
        cls.server = serve.Server("--chat-template-file", f.name)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        os.unlink(cls.template)

    def post(self, path, body, status=200):
        got, data = self.server.request("POST", path, body)
        self.assertEqual(got, status, data)
        return json.loads(data)

    def test_reasoning_history(self):
        messages = [{"role": "user", "content": "Fix it"},
                    {"role": "assistant", "content": "Done", "reasoning_content": "look first"},
                    {"role": "user", "content": "Thanks"}]
        self.assertEqual(self.post("/apply-template", {"messages": messages})["prompt"],
                         "user:|Fix it;assistant:look first|Done;user:|Thanks;assistant:")
        thinking = [{"role": "user", "content": "Fix it"},
                    {"role": "assistant", "content": [{"type": "thinking", "thinking": "look first"},
                                                      {"type": "text", "text": "Done"}]},
                    {"role": "user", "content": "Thanks"}]
        plain = [thinking[0], {"role": "assistant", "content": "Done"}, thinking[2]]
        count = lambda m: self.post("/v1/messages/count_tokens", {"messages": m})["input_tokens"]  # noqa: E731
        self.assertGreater(count(thinking), count(plain))
        self.post("/apply-template", {"messages": [{"role": "user", "content": "x", "reasoning_content": "y"}]}, 400)

    def test_continued_text_parts(self):
        messages = [{"role": "user", "content": "Hi"},
                    {"role": "assistant", "content": [{"type": "text", "text": "Wh"}, {"type": "text", "text": "ill"}]}]
        self.assertEqual(self.post("/apply-template", {"messages": messages})["prompt"], "user:|Hi;assistant:Wh\n\nill")

    def test_anthropic_images_are_refused(self):
        image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}
        for content in ([image, {"type": "text", "text": "What is this?"}],
                        [{"type": "tool_result", "tool_use_id": "t", "content": [image]}]):
            body = self.post("/v1/messages", {"max_tokens": 4, "messages": [{"role": "user", "content": content}]},
                             500)
            self.assertIn("image input is not supported", body["error"]["message"])


class Deployment(unittest.TestCase):
    """What llama-server's switches for a deployment turn on or off: /metrics only with --metrics;
    Vertex AI's predict route with AIP_MODE=PREDICTION; several addresses in --host."""

    def test_several_addresses(self):
        server = serve.Server("--host", "127.0.0.1, 127.0.0.2")  # the whole 127/8 is this machine's
        try:
            for address in ("127.0.0.1", "127.0.0.2"):
                c = http.client.HTTPConnection(address, server.port, timeout=60)
                c.request("POST", "/completion", body=json.dumps({"prompt": "Hi", "n_predict": 2}),
                          headers={"Authorization": "Bearer " + KEY, "Content-Type": "application/json"})
                self.assertEqual(c.getresponse().status, 200, address)
                c.close()
        finally:
            server.stop()
        bad = subprocess.run([serve.LMC, "serve", serve.MODEL, "--host", " , "], capture_output=True, text=True)
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertIn("--host", bad.stderr)

    def test_vertex_predict_route(self):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = serve.Server("--parallel", "2", env={"AIP_MODE": "PREDICTION", "AIP_HTTP_PORT": str(port),
                                                      "AIP_PREDICT_ROUTE": "vertex", "AIP_HEALTH_ROUTE": "/up"})
        try:
            self.assertEqual(server.port, port)  # AIP_HTTP_PORT wins over --port
            self.assertEqual(server.request("GET", "/up")[0], 200)
            chat = {"messages": CHAT, "max_tokens": 4, "temperature": 0}
            instances = [dict(chat, **{"@requestFormat": "chatCompletions"}),
                         {"@requestFormat": "/tokenize", "content": "Hello"},
                         dict(chat, stream=True, **{"@requestFormat": "/v1/chat/completions"}),
                         {"@requestFormat": "nowhere"}]
            status, data = server.request("POST", "/vertex", {"instances": instances})
            self.assertEqual(status, 200, data)
            got = json.loads(data)["predictions"]
            alone = json.loads(server.request("POST", "/v1/chat/completions", chat)[1])
            self.assertEqual(got[0]["choices"][0]["message"], alone["choices"][0]["message"])
            self.assertEqual(got[1], json.loads(server.request("POST", "/tokenize", {"content": "Hello"})[1]))
            self.assertEqual(got[2]["choices"][0]["message"], alone["choices"][0]["message"])  # answered whole
            self.assertEqual(got[3]["error"]["code"], 400)
            self.assertEqual(server.request("POST", "/vertex", {"instance": []})[0], 400)
        finally:
            server.stop()

    def test_metrics_only_when_asked(self):
        server = serve.Server()
        try:
            status, data = server.request("GET", "/metrics")
            self.assertEqual((status, json.loads(data)["error"]["type"]), (501, "not_supported_error"))
        finally:
            server.stop()


class WithoutModel(unittest.TestCase):
    """llama-server's command line without a model: its router, here with no model to serve."""

    def test_health_models_preflight_and_400(self):
        proc = subprocess.Popen([serve.LMC, "serve", "--port", "0", "--cors-origins", "localhost", "--offline"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            port = None
            for line in proc.stderr:
                m = re.search(r"on http://127\.0\.0\.1:(\d+)", line)
                if m:
                    port = int(m.group(1))
                    break
            self.assertIsNotNone(port, "lmc serve without a model did not start")

            def ask(method, path, headers=None):
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                c.request(method, path, headers=headers or {})
                r = c.getresponse()
                answer = r.status, r.getheader("Access-Control-Allow-Origin"), r.read()
                c.close()
                return answer
            self.assertEqual(ask("GET", "/health")[0], 200)
            status, _, body = ask("GET", "/v1/models")
            self.assertEqual((status, json.loads(body)["data"]), (200, []))
            preflight = {"Origin": "http://localhost:8080", "Access-Control-Request-Method": "POST"}
            self.assertEqual(ask("OPTIONS", "/completions", preflight)[:2], (200, "http://localhost:8080"))
            self.assertEqual(ask("OPTIONS", "/completions", dict(preflight, Origin="http://evil.com"))[:2],
                             (200, None))
            status, _, body = ask("GET", "/props")
            self.assertEqual((status, json.loads(body)["role"]), (200, "router"))
            status, _, body = ask("POST", "/completion")
            self.assertEqual(status, 400)
            self.assertIn("model name is missing", json.loads(body)["error"]["message"])
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=60), 0)
            proc.stderr.close()


if __name__ == "__main__":
    sys.exit(serve.main())
