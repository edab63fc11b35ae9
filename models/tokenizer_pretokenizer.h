// Byte-level BPE never merges across the pieces a pre-tokenizer cuts the text into. GPT-2's
// pieces are those of the pattern
//   's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// matched here by hand, since no C++ regex library here knows \p{..}. SmolLM's pre-tokenizer
// first isolates every \p{N} character (HF's Digits(individual_digits) + ByteLevel), so
// numbers become one token per digit.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace lmc::models {

enum class PreTokenizer { Gpt2, SmolLm };

// Names as in GGUF's tokenizer.ggml.pre; throws lmc::Error at `where` for others.
PreTokenizer pre_tokenizer_named(const std::string& name, const std::string& where);

std::vector<std::string_view> pre_tokenize(PreTokenizer pre, std::string_view text);

}  // namespace lmc::models
