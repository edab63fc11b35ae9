// llama-server's forms of a /completion `prompt`: text; token ids; text and token ids mixed
// in one array; {"prompt_string": ...}; or an array of those, several prompts answered as an
// array of answers. Text is tokenized where it stands, the model's BOS only before a prompt
// whose first piece is text (as llama-server's tokenize_mixed). `multimodal_data` is refused:
// lmc's models read text.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/tokenizer/tokenizer.h"

namespace lmc::tools {

struct PromptPiece {
  std::string text;
  int32_t token = -1;  // a token id; text when below 0
};
using MixedPrompt = std::vector<PromptPiece>;

// The prompts `prompt` holds (at least one, none empty), each token id below `vocab`; else
// an ApiError (400) naming the place.
std::vector<MixedPrompt> parse_llama_prompts(const nlohmann::json& prompt, int64_t vocab);
std::vector<int32_t> prompt_tokens(const MixedPrompt& p, const models::Tokenizer& tok);

}  // namespace lmc::tools
