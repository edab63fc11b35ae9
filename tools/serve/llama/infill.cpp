#include "tools/serve/llama/infill.h"

#include <nlohmann/json.hpp>
#include <vector>

#include "tools/serve/fields/request_fields.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {

namespace {

using nlohmann::json;

std::optional<int32_t> first_found(const models::Tokenizer& tok, std::initializer_list<const char*> spellings) {
  for (const char* s : spellings)
    if (auto id = tok.find(s)) return id;
  return std::nullopt;
}

std::string text_field(const json& body, const char* name) {
  const json* v = given_field(body, name);
  if (!v) return "";
  if (!v->is_string()) invalid_field(name, std::string("'") + name + "' must be a string");
  return v->get<std::string>();
}

void append(std::vector<int32_t>& to, const std::vector<int32_t>& ids) { to.insert(to.end(), ids.begin(), ids.end()); }

// input_extra's files as the repository part of the prompt, or nothing.
std::vector<int32_t> repository(const json& body, const FimTokens& fim, const models::Tokenizer& tok) {
  const json* extra = given_field(body, "input_extra");
  if (!extra) return {};
  if (!extra->is_array()) invalid_field("input_extra", "'input_extra' must be an array of {\"filename\", \"text\"}");
  std::vector<int32_t> out;
  if (extra->empty() || !fim.repo || !fim.file_separator) return out;
  out.push_back(*fim.repo);
  append(out, tok.encode("project\n", false, false));
  for (size_t i = 0; i < extra->size(); ++i) {
    const json& chunk = (*extra)[i];
    const std::string at = "input_extra[" + std::to_string(i) + "]";
    if (!chunk.is_object()) invalid_field("input_extra", "'" + at + "' must be an object {\"filename\", \"text\"}");
    const std::string name = text_field(chunk, "filename"), text = text_field(chunk, "text");
    out.push_back(*fim.file_separator);
    append(out, tok.encode(name + "\n" + text, false, false));
  }
  out.push_back(*fim.file_separator);
  return out;
}

}  // namespace

FimTokens find_fim_tokens(const models::Tokenizer& tok) {
  FimTokens f;
  f.prefix = first_found(tok, {"<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>", "<｜fim▁begin｜>", "<PRE>", "▁<PRE>"});
  f.suffix = first_found(tok, {"<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>", "<｜fim▁hole｜>", "<SUF>", "▁<SUF>"});
  f.middle = first_found(tok, {"<|fim_middle|>", "<fim-middle>", "<fim_middle>", "<｜fim▁end｜>", "<MID>", "▁<MID>"});
  f.repo = first_found(tok, {"<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>", "<repo_name>"});
  f.file_separator = first_found(tok, {"<|file_sep|>", "<file_sep>", "<fim-file-sep>"});
  return f;
}

std::string infill_as_completion(std::string_view text, const FimTokens& fim, const models::Tokenizer& tok) {
  if (!fim.usable())
    throw ApiError(501, "not_supported_error",
                   "this model has no fill-in-the-middle tokens (<|fim_prefix|>, <fim_prefix>, <PRE>, ...): /infill "
                   "needs a code model trained for it");
  json body = request_object(text);
  // Untrusted text: written FIM or control tokens stay text (parse_special false).
  std::vector<int32_t> ids = repository(body, fim, tok);
  if (tok.wants_bos()) ids.push_back(tok.bos());
  ids.push_back(*fim.prefix);
  append(ids, tok.encode(text_field(body, "input_prefix"), false, false));
  append(ids, tok.encode(text_field(body, "prompt"), false, false));
  ids.push_back(*fim.suffix);
  append(ids, tok.encode(text_field(body, "input_suffix"), false, false));
  ids.push_back(*fim.middle);
  for (const char* name : {"input_prefix", "input_suffix", "input_extra"}) body.erase(name);
  body["prompt"] = ids;
  return body.dump();
}

}  // namespace lmc::tools
