"""The reference's tokenizers for verify_logits.py and verify_batch.py, independent of
lmc's: a GGUF vocabulary through tests/reference/tokenize_reference.py, a tokenizer.json
through Hugging Face `tokenizers`.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "reference"))

class GgufTokenizer:
    """The reference tokenizer built from a GGUF's vocabulary (tokenize_reference.py)."""

    def __init__(self, path):
        import tokenize_reference as tr
        meta = tr.read_metadata(path)
        v = tr.read_vocab(path)
        self.tok = tr.byte_level_tokenizer(v) if v["model"] == "gpt2" else tr.sentencepiece_tokenizer(v)
        self.tok.add_tokens([t for _, t in tr.added_tokens(v)])
        self.bos = [v["bos"]] if meta.get("tokenizer.ggml.add_bos_token", False) else []
        self.size = self.tok.get_vocab_size(with_added_tokens=True)

    def encode(self, text):
        return self.bos + self.tok.encode(text, add_special_tokens=False).ids

    def decode(self, ids):
        return self.tok.decode(ids, skip_special_tokens=False)


class JsonTokenizer:
    def __init__(self, path):
        from tokenizers import Tokenizer
        self.tok = Tokenizer.from_file(path)
        self.size = self.tok.get_vocab_size(with_added_tokens=True)

    def encode(self, text):
        return self.tok.encode(text).ids  # the post-processor adds BOS where the model wants it

    def decode(self, ids):
        return self.tok.decode(ids, skip_special_tokens=False)
