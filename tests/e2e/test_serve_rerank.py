"""lmc serve --reranking on SmolLM2 (llama-server's flag and its POST /rerank, /reranking,
/v1/rerank, /v1/reranking): documents ranked by the cosine of their pooled embedding and the
query's — the relevant one first, the scores sorted and equal to the /v1/embeddings vectors'
dot products, top_n, the tokens embedded in usage, TEI's form (`texts`, `return_text`), and
the refusals: bad requests (400 with a JSON error), --pooling none at start.

  test_serve_rerank.py --lmc build/tools/lmc
"""
import json
import os
import subprocess
import sys
import unittest

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_harness as h  # noqa: E402

QUERY = "How do I bake bread at home?"
DOCS = ["The stock market fell sharply on Tuesday after the central bank raised interest rates.",
        "To bake bread at home, mix flour, water, yeast and salt, let the dough rise, then bake it in a hot oven.",
        "Penguins are flightless birds that live almost exclusively in the Southern Hemisphere."]


class Rerank(h.ServedTestCase):
    FLAGS = ("--reranking",)

    def rerank(self, body, path="/rerank"):
        status, data = self.server.request("POST", path, body)
        return status, json.loads(data)

    def embedding(self, text):
        status, data = self.server.request("POST", "/v1/embeddings", {"input": text})
        self.assertEqual(status, 200)
        return np.array(json.loads(data)["data"][0]["embedding"])

    def test_the_relevant_document_ranks_first_by_embedding_similarity(self):
        for path in ("/rerank", "/reranking", "/v1/rerank", "/v1/reranking"):
            status, r = self.rerank({"query": QUERY, "documents": DOCS, "model": "m"}, path)
            self.assertEqual(status, 200, r)
            self.assertEqual((r["object"], r["model"]), ("list", "m"))
            self.assertEqual(r["results"][0]["index"], 1, r)
            self.assertEqual(sorted(d["index"] for d in r["results"]), [0, 1, 2])
            scores = [d["relevance_score"] for d in r["results"]]
            self.assertEqual(scores, sorted(scores, reverse=True))
        q = self.embedding(QUERY)
        for d in r["results"]:
            self.assertAlmostEqual(d["relevance_score"], float(q @ self.embedding(DOCS[d["index"]])), places=4)
        tokens = [len(json.loads(self.server.request("POST", "/tokenize", {"content": t, "add_special": True})[1])[
            "tokens"]) for t in [QUERY] + DOCS]
        self.assertEqual(r["usage"], {"prompt_tokens": sum(tokens), "total_tokens": sum(tokens)})

    def test_top_n_cuts_the_ranking(self):
        status, whole = self.rerank({"query": QUERY, "documents": DOCS})
        for top_n, n in ((1, 1), (2, 2), (99, 3)):
            status, r = self.rerank({"query": QUERY, "documents": DOCS, "top_n": top_n})
            self.assertEqual(status, 200, r)
            self.assertEqual(r["results"], whole["results"][:n])

    def test_tei_form(self):
        status, r = self.rerank({"query": QUERY, "texts": DOCS, "top_n": 2, "return_text": True})
        self.assertEqual(status, 200, r)
        self.assertIsInstance(r, list)
        self.assertEqual(len(r), 2)
        self.assertEqual(r[0]["index"], 1)
        self.assertEqual(r[0]["text"], DOCS[1])
        self.assertGreater(r[0]["score"], r[1]["score"])

    def test_bad_requests_are_400s_with_a_json_error(self):
        for body in ({"query": QUERY}, {"query": QUERY, "documents": []}, {"query": QUERY, "documents": "a doc"},
                     {"query": QUERY, "documents": [1, 2]}, {"query": QUERY, "documents": None},
                     {"documents": DOCS}, {"query": 5, "documents": DOCS},
                     {"query": QUERY, "documents": DOCS, "top_n": 0}, {"query": QUERY, "texts": ["a", ["b"]]}):
            status, r = self.rerank(body)
            self.assertEqual(status, 400, body)
            self.assertIn("message", r["error"], body)

    def test_pooling_none_is_refused_at_start(self):
        p = subprocess.run([h.LMC, "serve", h.MODEL, "--reranking", "--pooling", "none", "--port", "0"],
                           capture_output=True, text=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("--pooling none", p.stderr)


if __name__ == "__main__":
    sys.exit(h.main())
