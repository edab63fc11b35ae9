// Reads a Hugging Face tokenizer.json whose model is BPE: byte-level (a ByteLevel
// pre-tokenizer, as GPT-2 and SmolLM2 ship) or SentencePiece-style (spaces normalized to
// U+2581, usually with byte_fallback, as Gemma and Llama ship). tokenizer.json does not say
// which tokens are BOS and EOS; tokenizer_config.json beside it does, and is read when present.
#pragma once
#include <string>

#include "models/tokenizer/tokenizer.h"

namespace lmc::models {

// Throws lmc::Error naming the file, line and column of anything lmc cannot honour.
TokenizerVocab tokenizer_vocab_from_json(const std::string& tokenizer_json_path);

}  // namespace lmc::models
