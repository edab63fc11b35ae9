#include "tools/serve/fields/llama_prompts.h"

#include <algorithm>

#include "tools/serve/fields/request_fields.h"

namespace lmc::tools {

namespace {

using nlohmann::json;

// multimodal_data: base64 strings, one for each <__media__> marker of the prompt's text; one
// string alone is one image, as llama-server reads it.
std::vector<std::string> media_of(const json& v, const std::string& at) {
  if (v.is_string()) return {v.get<std::string>()};
  if (!v.is_array() || v.empty() || !std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); }))
    invalid_field(at, "'" + at + "' must be a non-empty array of base64 strings, an image's file each");
  return v.get<std::vector<std::string>>();
}

}  // namespace

// One prompt: text, token ids mixed with text, or {"prompt_string": text or mixed}, which
// with multimodal_data is text alone.
MixedPrompt parse_llama_prompt(const json& v, int64_t vocab, const std::string& at) {
  if (v.is_object()) {
    const json* text = given_field(v, "prompt_string");
    if (!text) invalid_field(at, "'" + at + "' as an object needs \"prompt_string\"");
    MixedPrompt out = parse_llama_prompt(*text, vocab, at + ".prompt_string");
    if (const json* media = given_field(v, "multimodal_data")) {
      if (!text->is_string())
        invalid_field(at + ".prompt_string", "'" + at + ".prompt_string' must be a string beside multimodal_data");
      out.media = media_of(*media, at + ".multimodal_data");
      out.media_at = at + ".multimodal_data";
    }
    return out;
  }
  MixedPrompt out;
  if (v.is_string()) {
    out.pieces.push_back({v.get<std::string>()});
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) {
      const std::string place = at + "[" + std::to_string(i) + "]";
      if (v[i].is_string())
        out.pieces.push_back({v[i].get<std::string>()});
      else
        out.pieces.push_back({"", token_id(v[i], vocab, place)});
    }
  } else {
    invalid_field(at, "'" + at +
                          "' must be a string, token ids, token ids mixed with strings, an object with "
                          "\"prompt_string\", or an array of those");
  }
  const bool empty = std::all_of(out.pieces.begin(), out.pieces.end(),
                                 [](const PromptPiece& p) { return p.token < 0 && p.text.empty(); });
  if (empty) invalid_field(at, "'" + at + "' is empty");
  return out;
}

bool is_prompt_list(const json& v) {
  return v.is_array() && std::none_of(v.begin(), v.end(), [](const json& e) { return e.is_number(); });
}

std::vector<MixedPrompt> parse_llama_prompts(const json& prompt, int64_t vocab) {
  if (!is_prompt_list(prompt)) return {parse_llama_prompt(prompt, vocab, "prompt")};
  if (prompt.empty()) invalid_field("prompt", "'prompt' is an empty list");
  std::vector<MixedPrompt> out;
  for (size_t i = 0; i < prompt.size(); ++i)
    out.push_back(parse_llama_prompt(prompt[i], vocab, "prompt[" + std::to_string(i) + "]"));
  return out;
}

std::vector<int32_t> prompt_tokens(const MixedPrompt& p, const models::Tokenizer& tok) {
  std::vector<int32_t> out;
  for (size_t i = 0; i < p.pieces.size(); ++i) {
    if (p.pieces[i].token >= 0) {
      out.push_back(p.pieces[i].token);
      continue;
    }
    const std::vector<int32_t> ids = tok.encode(p.pieces[i].text, i == 0 && tok.wants_bos());
    out.insert(out.end(), ids.begin(), ids.end());
  }
  return out;
}

}  // namespace lmc::tools
