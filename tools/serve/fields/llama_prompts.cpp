#include "tools/serve/fields/llama_prompts.h"

#include <algorithm>

#include "tools/serve/fields/request_fields.h"

namespace lmc::tools {

namespace {

using nlohmann::json;

// One prompt: text, token ids mixed with text, or {"prompt_string": text or mixed}.
MixedPrompt one_prompt(const json& v, int64_t vocab, const std::string& at) {
  if (v.is_object()) {
    if (v.contains("multimodal_data"))
      invalid_field(at + ".multimodal_data", "'" + at + ".multimodal_data': this model reads text only");
    const json* text = given_field(v, "prompt_string");
    if (!text) invalid_field(at, "'" + at + "' as an object needs \"prompt_string\"");
    return one_prompt(*text, vocab, at + ".prompt_string");
  }
  MixedPrompt out;
  if (v.is_string()) {
    out.push_back({v.get<std::string>()});
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string place = at + "[" + std::to_string(i) + "]";
      if (v[i].is_string())
        out.push_back({v[i].get<std::string>()});
      else
        out.push_back({"", token_id(v[i], vocab, place)});
    }
  } else {
    invalid_field(at, "'" + at +
                          "' must be a string, token ids, token ids mixed with strings, an object with "
                          "\"prompt_string\", or an array of those");
  }
  const bool empty =
      std::all_of(out.begin(), out.end(), [](const PromptPiece& p) { return p.token < 0 && p.text.empty(); });
  if (empty) invalid_field(at, "'" + at + "' is empty");
  return out;
}

}  // namespace

std::vector<MixedPrompt> parse_llama_prompts(const json& prompt, int64_t vocab) {
  // An array holding a number is one prompt (ids, or ids mixed with text); any other array
  // is a list of prompts.
  const bool list =
      prompt.is_array() && std::none_of(prompt.begin(), prompt.end(), [](const json& e) { return e.is_number(); });
  if (!list) return {one_prompt(prompt, vocab, "prompt")};
  if (prompt.empty()) invalid_field("prompt", "'prompt' is an empty list");
  std::vector<MixedPrompt> out;
  for (size_t i = 0; i < prompt.size(); ++i)
    out.push_back(one_prompt(prompt[i], vocab, "prompt[" + std::to_string(i) + "]"));
  return out;
}

std::vector<int32_t> prompt_tokens(const MixedPrompt& p, const models::Tokenizer& tok) {
  std::vector<int32_t> out;
  for (size_t i = 0; i < p.size(); ++i) {
    if (p[i].token >= 0) {
      out.push_back(p[i].token);
      continue;
    }
    const std::vector<int32_t> ids = tok.encode(p[i].text, i == 0 && tok.wants_bos());
    out.insert(out.end(), ids.begin(), ids.end());
  }
  return out;
}

}  // namespace lmc::tools
