// A tokenizer vocabulary as bytes, so the artifact carries its own tokenizer and
// `lmc run` needs nothing but the artifact.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "models/tokenizer/tokenizer.h"

namespace lmc::models {

std::string serialize_vocab(const TokenizerVocab& v);
// Throws lmc::Error naming `source` when the bytes are truncated or inconsistent.
TokenizerVocab deserialize_vocab(std::string_view bytes, const std::string& source);

}  // namespace lmc::models
