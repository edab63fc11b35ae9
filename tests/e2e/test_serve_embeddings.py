"""lmc serve --embeddings on SmolLM2 (the embedding-output pass: the final norm's rows,
pooled, unit length) through the openai client and raw HTTP: each vector agrees with the
numpy reference's pooled final hidden state (mean and last pooling), base64 and floats give
the same numbers, llama-server's /embeddings shape, token-id input, content parts, and the refusals — a
generating endpoint on an embedding server, the embeddings endpoint on a generating one and
/rerank on either without --reranking (501), bad inputs (400).

  test_serve_embeddings.py --lmc build/tools/lmc
"""
import base64
import functools
import json
import os
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference"))
import reference_forward as rf  # noqa: E402
import serve_harness as h  # noqa: E402

# The third is longer than a step (llama.yaml's step_tokens, 512): pooled across two steps.
TEXTS = ["The capital of France is Paris, a city on the Seine.", "def fibonacci(n): return n",
         " ".join(f"item {i}," for i in range(200))]
# lmc's projections read int8-rounded activations (as llama.cpp's do); the reference's are
# f32, so the vectors agree in direction, not in every bit.
MIN_COSINE = 0.995


@functools.lru_cache(maxsize=None)
def reference_rows(ids):
    return rf.Session(reference_embedding.model).hidden(list(ids)).astype(np.float64)


def reference_embedding(ids, pooling):
    rows = reference_rows(tuple(ids))
    v = rows.mean(axis=0) if pooling == "mean" else rows[-1]
    return v / np.linalg.norm(v)


class Embeddings(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        reference_embedding.model = rf.load_model(h.MODEL).prepared(None)
        cls.mean = h.Server("--embedding", "--metrics", "--chat-template", "chatml", "-c", "0")  # llama-server's
        cls.last = h.Server("--embeddings", "--pooling", "last")

    @classmethod
    def tearDownClass(cls):
        for s in (cls.mean, cls.last):
            s.stop()

    def ids(self, text):
        status, body = self.mean.request("POST", "/tokenize", {"content": text, "add_special": True})
        self.assertEqual(status, 200)
        return json.loads(body)["tokens"]

    def test_vectors_agree_with_the_reference(self):
        for server, pooling in ((self.mean, "mean"), (self.last, "last")):
            r = server.client().embeddings.create(model="any-name", input=TEXTS, encoding_format="float")
            self.assertEqual([d.index for d in r.data], list(range(len(TEXTS))))
            self.assertEqual(r.usage.prompt_tokens, sum(len(self.ids(t)) for t in TEXTS))
            for d, text in zip(r.data, TEXTS):
                v = np.array(d.embedding)
                self.assertEqual(v.shape, (576,))
                self.assertAlmostEqual(float(np.linalg.norm(v)), 1.0, places=5)
                cos = float(v @ reference_embedding(self.ids(text), pooling))
                self.assertGreater(cos, MIN_COSINE, f"{pooling}: {text[:40]!r}")
            self.assertGreater(len(self.ids(TEXTS[2])), 512)
            a, b = (np.array(d.embedding) for d in r.data[:2])
            self.assertLess(float(a @ b), 0.99, "two different texts gave the same vector")

    def test_base64_llama_shape_and_token_ids_give_the_same_numbers(self):
        status, body = self.mean.request("POST", "/v1/embeddings", {"input": TEXTS[0]})
        self.assertEqual(status, 200)
        floats = np.array(json.loads(body)["data"][0]["embedding"], dtype=np.float32)
        status, body = self.mean.request("POST", "/v1/embeddings", {"input": TEXTS[0], "encoding_format": "base64"})
        self.assertEqual(status, 200)
        packed = np.frombuffer(base64.b64decode(json.loads(body)["data"][0]["embedding"]), dtype="<f4")
        np.testing.assert_array_equal(packed, floats)
        default = np.array(self.mean.client().embeddings.create(model="m", input=TEXTS[0]).data[0].embedding)
        np.testing.assert_array_equal(default.astype(np.float32), floats)  # the client asks base64
        status, body = self.mean.request("POST", "/embeddings", {"content": TEXTS[0]})
        self.assertEqual(status, 200)
        llama = json.loads(body)
        self.assertEqual(llama[0]["index"], 0)
        np.testing.assert_array_equal(np.array(llama[0]["embedding"][0], dtype=np.float32), floats)
        status, legacy = self.mean.request("POST", "/embedding", {"content": TEXTS[0]})  # llama-server's old path
        self.assertEqual((status, json.loads(legacy)), (200, llama))
        status, body = self.mean.request("POST", "/v1/embeddings", {"input": [self.ids(TEXTS[0])]})
        self.assertEqual(status, 200)
        np.testing.assert_array_equal(np.array(json.loads(body)["data"][0]["embedding"], dtype=np.float32), floats)
        half = len(TEXTS[0]) // 2  # OpenAI's content parts: their texts read as one
        parts = [{"type": "text", "text": TEXTS[0][:half]}, {"type": "text", "text": TEXTS[0][half:]}]
        status, body = self.mean.request("POST", "/v1/embeddings", {"input": [TEXTS[1], {"content": parts}]})
        self.assertEqual(status, 200)
        np.testing.assert_array_equal(np.array(json.loads(body)["data"][1]["embedding"], dtype=np.float32), floats)

    def test_refusals(self):
        status, body = self.mean.request("POST", "/v1/chat/completions",
                                         {"messages": [{"role": "user", "content": "Hi"}]})
        self.assertEqual(status, 501)
        self.assertIn("--embeddings", json.loads(body)["error"]["message"])
        for bad, param in (({"input": ""}, "input"), ({"input": []}, "input"), ({}, "input"),
                           ({"input": "x", "dimensions": 8}, "dimensions"),
                           ({"input": "x", "encoding_format": "int8"}, "encoding_format"),
                           ({"input": [[0, 10 ** 9]]}, "input[0][1]"), ({"input": "x", "stream": True}, "stream"),
                           ({"input": "word " * 9000}, "input"), ({"input": {"content": "x"}}, "input"),
                           ({"input": ["x", {"content": [{"type": "image_url", "image_url": {"url": "x"}}]}]},
                            "input[1].content[0]")):
            status, body = self.mean.request("POST", "/v1/embeddings", bad)
            self.assertEqual(status, 400, bad)
            self.assertEqual(json.loads(body)["error"]["param"], param, bad)
        # Ranking is --reranking's (llama-server's flag), not every embedding server's.
        status, body = self.mean.request("POST", "/rerank", {"query": "q", "documents": ["d"]})
        self.assertEqual(status, 501)
        self.assertIn("--reranking", json.loads(body)["error"]["message"])

    def test_a_generating_server_refuses_embeddings(self):
        server = h.Server()
        try:
            status, body = server.request("POST", "/v1/embeddings", {"input": "Hi"})
            self.assertEqual(status, 501)
            self.assertIn("--embeddings", json.loads(body)["error"]["message"])
            status, body = server.request("POST", "/v1/rerank", {"query": "q", "documents": ["d"]})
            self.assertEqual(status, 501)
        finally:
            server.stop()


if __name__ == "__main__":
    sys.exit(h.main())
