// Reads the tokenizer a GGUF carries in its tokenizer.ggml.* metadata.
#pragma once
#include "models/formats/gguf_file.h"
#include "models/tokenizer/tokenizer.h"

namespace lmc::models {

// tokenizer.ggml.model "llama" is SentencePiece BPE (scores, byte fallback); "gpt2" is
// byte-level BPE (merges). Throws lmc::Error naming the file and key for anything else.
TokenizerVocab tokenizer_vocab_from_gguf(const GgufFile& gguf);

}  // namespace lmc::models
