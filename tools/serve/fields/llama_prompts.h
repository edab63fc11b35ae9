// llama-server's forms of a /completion `prompt`: text; token ids; text and token ids mixed
// in one array; {"prompt_string": ...}; or an array of those, several prompts answered as an
// array of answers. Text is tokenized where it stands, the model's BOS only before a prompt
// whose first piece is text (as llama-server's tokenize_mixed). {"prompt_string": text,
// "multimodal_data": [base64, ...]} carries images, each at a <__media__> marker of the
// text; they are read (or refused, on a server without --mmproj) where the prompt becomes
// tokens (tools/serve/server/request_images.h).
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
struct MixedPrompt {
  std::vector<PromptPiece> pieces;
  // multimodal_data's base64 strings (then `pieces` is the prompt_string alone), and where
  // the request gave them ("prompt[1].multimodal_data"), which errors name.
  std::vector<std::string> media;
  std::string media_at;
};

// The prompts `prompt` holds (at least one, none empty), each token id below `vocab`; else
// an ApiError (400) naming the place.
std::vector<MixedPrompt> parse_llama_prompts(const nlohmann::json& prompt, int64_t vocab);
// Whether `v` is a list of prompts rather than one: an array holding no number (one holding a
// number is one prompt, ids or ids mixed with text), as llama-server tells them apart.
bool is_prompt_list(const nlohmann::json& v);
// One prompt of such a list, at `at` (which errors name).
MixedPrompt parse_llama_prompt(const nlohmann::json& v, int64_t vocab, const std::string& at);
// The tokens of `p`'s pieces (its media aside).
std::vector<int32_t> prompt_tokens(const MixedPrompt& p, const models::Tokenizer& tok);

}  // namespace lmc::tools
