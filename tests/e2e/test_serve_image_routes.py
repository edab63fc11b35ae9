#!/usr/bin/env python3
"""Images through lmc serve's other routes, on test_run_image.py's generated Gemma-3-shaped pair
(as test_serve_image.py, whose server and lmc run helpers it uses): llama-server's /completion,
/completions and /v1/completions with a prompt object {"prompt_string", "multimodal_data"}, the
image at each <__media__> marker, and OpenAI's /v1/responses with input_image parts. The greedy
answers, whole and streamed, must be lmc run --image's to the same raw text (completions) or chat
(responses); a list of prompts with the same text and other images answers each as its own. Bad
images are 400s with a JSON error naming the place (bad base64, empty, not an image, markers that
do not match, an http URL, a file_id); a server started with --no-mmproj answers as llama-server
does (400 for multimodal_data, 500 for a chat's image); an image whose tokens attend to each
other and pass a step is a 400 on each route; /tokenize takes no images. /models says
"multimodal" among the capabilities, as llama-server's. A router's (--models-dir) model in a
subfolder reads the projector beside it.

  test_serve_image_routes.py --lmc BUILD/tools/lmc [unittest options]
"""
import base64
import http.client
import json
import os
import subprocess
import sys
import tempfile
import unittest

import make_mmproj
import test_run_image
import test_serve_image
from test_serve_image import FLAGS, TOKENS, Served, run_answer

LMC = None
# Gemma's chat turn written out: a raw prompt in which the random pair's answer tells the images apart.
TEXT = "<start_of_turn>user\n<__media__>What is it?<end_of_turn>\n<start_of_turn>model\n"


def run_raw(pair, text, image):
    """lmc run's greedy answer to the raw prompt `text` (no chat template) with one image."""
    model, mmproj, pngs = pair
    r = subprocess.run([LMC, "run", model, "--mmproj", mmproj, "--image", pngs[image], "-p", text, "-no-cnv",
                        "-n", str(TOKENS), "--temp", "0", "--ignore-eos", *FLAGS],
                       capture_output=True, text=True, errors="replace", timeout=300)
    assert r.returncode == 0, r.stderr
    return r.stdout.rstrip("\n")[len(text):] if r.stdout.startswith(text) else r.stdout.rstrip("\n")


class ServeImageRoutes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        test_run_image.model_pair_for(cls)
        cls.b64 = [test_serve_image.base64_of(p) for p in cls.pair[2]]
        cls.server = Served(cls.pair, "-np", "1", "--ctx-size", "160")
        cls.raw = [run_raw(cls.pair, TEXT, i) for i in (0, 1)]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.dir.cleanup()

    def completion(self, prompt, path="/completion", status=200, server=None):
        body = {"prompt": prompt, "n_predict": TOKENS, "temperature": 0, "ignore_eos": True}
        if path == "/v1/completions":
            body = {"prompt": prompt, "max_tokens": TOKENS, "temperature": 0, "ignore_eos": True}
        got, answer = (server or self.server).ask(path, body)
        self.assertEqual(got, status, answer)
        return answer

    def test_completion_with_multimodal_data_is_lmc_runs(self):
        self.assertNotEqual(self.raw[0], self.raw[1])  # else the checks below could not tell images apart
        for i in (0, 1):
            for path in ("/completion", "/completions"):
                answer = self.completion({"prompt_string": TEXT, "multimodal_data": [self.b64[i]]}, path)
                self.assertEqual(answer["content"], self.raw[i], path)
                # Its prompt is the text tokens', as llama-server's: the image's rows left out.
                self.assertEqual(answer["prompt"].count("<start_of_image>"), 1, answer["prompt"])
                self.assertIn("<start_of_image><end_of_image>What is it?", answer["prompt"])
            answer = self.completion([{"prompt_string": TEXT, "multimodal_data": [self.b64[i]]}], "/v1/completions")
            self.assertEqual(answer["choices"][0]["text"], self.raw[i])

    def streamed(self, path, body):
        """The data of each server-sent event `path` answers `body` with, as JSON."""
        c = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=300)
        c.request("POST", path, json.dumps(dict(body, stream=True)), {"Content-Type": "application/json"})
        r = c.getresponse()
        self.assertEqual(r.status, 200)
        lines = r.read().decode().splitlines()
        c.close()
        return [json.loads(line[6:]) for line in lines if line.startswith("data: {")]

    def test_streamed_answers_are_the_whole_ones(self):
        events = self.streamed("/completion", {"prompt": {"prompt_string": TEXT, "multimodal_data": [self.b64[1]]},
                                               "n_predict": TOKENS, "temperature": 0, "ignore_eos": True})
        self.assertEqual("".join(e["content"] for e in events), self.raw[1])
        want = run_answer(self.pair, "What is in this picture?", [1])
        events = self.streamed("/v1/responses", {"input": [{"role": "user", "content": [
            {"type": "input_image", "image_url": "data:image/png;base64," + self.b64[1]},
            {"type": "input_text", "text": "What is in this picture?"}]}],
            "max_output_tokens": TOKENS, "temperature": 0, "ignore_eos": True})
        self.assertEqual("".join(e["delta"] for e in events if e["type"] == "response.output_text.delta"), want)

    def test_a_list_of_prompts_answers_each_with_its_image(self):
        # One slot: each prompt after the first finds the last one's text in the slot's cache,
        # and must not take its image's rows.
        prompts = [{"prompt_string": TEXT, "multimodal_data": [self.b64[i]]} for i in (0, 1, 0)]
        answers = self.completion(prompts + ["Look: plain text"])
        self.assertEqual([a["content"] for a in answers[:3]], [self.raw[0], self.raw[1], self.raw[0]])
        self.assertEqual(answers[3]["content"], self.completion("Look: plain text")["content"])

    def test_responses_input_image_is_lmc_runs(self):
        want = run_answer(self.pair, "What is in this picture?", [0])
        status, r = self.server.ask("/v1/responses", {
            "input": [{"role": "user", "content": [
                {"type": "input_image", "image_url": "data:image/png;base64," + self.b64[0], "detail": "high"},
                {"type": "input_text", "text": "What is in this picture?"}]}],
            "max_output_tokens": TOKENS, "temperature": 0, "ignore_eos": True})
        self.assertEqual(status, 200, r)
        self.assertEqual(r["output"][0]["content"][0]["text"], want)
        # input_tokens counts the image's tokens, as the answer's usage does.
        status, count = self.server.ask("/v1/responses/input_tokens", {"input": [{"role": "user", "content": [
            {"type": "input_image", "image_url": "data:image/png;base64," + self.b64[0]},
            {"type": "input_text", "text": "What is in this picture?"}]}]})
        self.assertEqual(status, 200, count)
        self.assertEqual(count["input_tokens"], r["usage"]["input_tokens"])

    def refused(self, path, body, status=400, server=None):
        got, answer = (server or self.server).ask(path, body)
        self.assertEqual(got, status, answer)
        self.assertIn("message", answer["error"])
        return answer["error"]

    def test_bad_multimodal_data_is_refused(self):
        cases = {
            "bad base64": ("@@@@", TEXT, "prompt.multimodal_data[0]", "base64"),
            "empty": ("", TEXT, "prompt.multimodal_data[0]", "empty"),
            "not an image": (base64.b64encode(b"hello, world").decode(), TEXT, "prompt.multimodal_data",
                             "failed to load image"),
            "no marker": (self.b64[0], "What is it?", "prompt.multimodal_data", "markers"),
            "two markers": (self.b64[0], TEXT + " <__media__>", "prompt.multimodal_data", "markers"),
        }
        for name, (data, text, param, says) in cases.items():
            with self.subTest(name):
                error = self.refused("/completion", {"prompt": {"prompt_string": text, "multimodal_data": [data]}})
                self.assertEqual(error["param"], param)
                self.assertIn(says, error["message"])
        # One string alone is one image, as llama-server reads it.
        error = self.refused("/completion", {"prompt": {"prompt_string": TEXT, "multimodal_data": "x"}})
        self.assertEqual(error["param"], "prompt.multimodal_data[0]")
        answer = self.completion({"prompt_string": TEXT, "multimodal_data": self.b64[1]})
        self.assertEqual(answer["content"], self.raw[1])

    def test_bad_input_images_are_refused(self):
        def ask(part):
            return self.refused("/v1/responses", {"input": [{"role": "user", "content": [
                part, {"type": "input_text", "text": "What is it?"}]}], "max_output_tokens": 1})
        self.assertIn("http(s) URL", ask({"type": "input_image", "image_url": "https://example.com/a.png"})["message"])
        self.assertEqual(ask({"type": "input_image", "file_id": "file-abc"})["param"], "input[0].content[0].file_id")
        corrupt = "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\nnot really").decode()
        self.assertIn("failed to load image", ask({"type": "input_image", "image_url": corrupt})["message"])

    def test_models_say_multimodal(self):
        # llama-server's capability, which a client checks before sending multimodal_data.
        for path in ("/models", "/v1/models"):
            status, models = self.server.ask(path)
            self.assertEqual(status, 200)
            self.assertEqual(models["models"][0]["capabilities"], ["completion", "multimodal"])

    def test_a_routers_model_reads_the_projector_beside_it(self):
        # llama-server's --models-dir: a subfolder's file named *mmproj* is its model's projector.
        model, mmproj, _ = self.pair
        folder = tempfile.mkdtemp(dir=self.dir.name)
        os.mkdir(os.path.join(folder, "vision"))
        os.symlink(model, os.path.join(folder, "vision", "model.gguf"))
        projector = os.path.join(folder, "vision", "model-mmproj-f16.gguf")
        os.symlink(mmproj, projector)
        router = Served.router(folder, "-np", "1", "--ctx-size", "160")
        try:
            status, answer = router.ask("/completion", {
                "model": "vision", "prompt": {"prompt_string": TEXT, "multimodal_data": [self.b64[1]]},
                "n_predict": TOKENS, "temperature": 0, "ignore_eos": True})
            self.assertEqual(status, 200, answer)
            self.assertEqual(answer["content"], self.raw[1])
            _, models = router.ask("/models")
            self.assertEqual([m["id"] for m in models["data"]], ["vision"])  # the projector is no model
            args = models["data"][0]["status"]["args"]
            self.assertEqual(args[args.index("--mmproj") + 1], projector)
        finally:
            router.stop()

    def test_tokenize_takes_no_images(self):
        # llama-server's /tokenize reads text (and /infill's prompt is text: test_serve_infill.py).
        obj = {"prompt_string": TEXT, "multimodal_data": [self.b64[0]]}
        self.assertEqual(self.refused("/tokenize", {"content": obj})["param"], "content")

    def test_an_image_past_a_step_is_refused(self):
        # Gemma 3's image tokens attend to each other: its 16 must be read in one step, here of 8 rows.
        definition = make_mmproj.definition_with_step(self.dir.name, "gemma3", 8)
        server = Served(self.pair, "--model-def", definition)
        try:
            error = self.refused("/completion", {"prompt": {"prompt_string": TEXT, "multimodal_data": [self.b64[0]]},
                                                 "n_predict": 1}, server=server)
            self.assertIn("an image of 16 tokens does not fit a step of 8 rows", error["message"])
            self.assertEqual(error["param"], "prompt.multimodal_data")
            error = self.refused("/v1/responses", {"input": [{"role": "user", "content": [
                {"type": "input_image", "image_url": "data:image/png;base64," + self.b64[0]}]}],
                "max_output_tokens": 1}, server=server)
            self.assertIn("does not fit a step of 8 rows", error["message"])
        finally:
            server.stop()

    def test_no_mmproj_answers_as_llama_server(self):
        server = Served(self.pair, "--no-mmproj")
        try:
            error = self.refused("/completion", {"prompt": [
                "text", {"prompt_string": TEXT, "multimodal_data": [self.b64[0]]}], "n_predict": 1}, server=server)
            self.assertEqual(error["message"], "Multimodal data provided, but model does not support multimodal requests.")
            self.assertEqual(error["param"], "prompt[1].multimodal_data")
            error = self.refused("/v1/responses", {"input": [{"role": "user", "content": [
                {"type": "input_image", "image_url": "data:image/png;base64," + self.b64[0]}]}],
                "max_output_tokens": 1}, 500, server=server)
            self.assertIn("image input is not supported", error["message"])
            _, models = server.ask("/v1/models")
            self.assertEqual(models["models"][0]["capabilities"], ["completion"])
            # Text alone is still answered.
            self.assertIsInstance(self.completion({"prompt_string": "Look: plain"}, server=server)["content"], str)
        finally:
            server.stop()


if __name__ == "__main__":
    test_serve_image.main(sys.modules[__name__])
