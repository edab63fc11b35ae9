// llama-server's POST /infill: fill-in-the-middle for code models with FIM tokens. The
// body is /completion's with input_prefix, input_suffix, input_extra (other files, each
// {"filename", "text"}) and prompt (text that continues the prefix). It becomes a
// /completion whose prompt is token ids, laid out as llama-server lays them out:
//
//   [REPO "project\n" (SEP filename "\n" text)... SEP] [BOS] PRE prefix prompt SUF suffix MID
//
// (the repository part only when input_extra has files and the vocabulary has a repo and a
// file-separator token; without them the files' texts are not sent). The FIM tokens are
// found by their text, in the spellings of the code models llama.cpp knows (Qwen's
// <|fim_prefix|>, StarCoder's <fim_prefix>, CodeLlama's <PRE>, DeepSeek's, ...).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "models/tokenizer/tokenizer.h"

namespace lmc::tools {

struct FimTokens {
  std::optional<int32_t> prefix, suffix, middle;  // all three, or /infill is not served
  std::optional<int32_t> repo, file_separator;    // for input_extra's files
  bool usable() const { return prefix && suffix && middle; }
};

FimTokens find_fim_tokens(const models::Tokenizer& tok);

// The /completion body of an /infill body. Throws ApiError: 501 when the model has no FIM
// tokens, 400 for a field of the wrong shape.
std::string infill_as_completion(std::string_view body, const FimTokens& fim, const models::Tokenizer& tok);

}  // namespace lmc::tools
