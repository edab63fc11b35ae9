#include "tools/serve/answer/logprobs_json.h"

#include <cmath>

namespace lmc::tools {

using nlohmann::json;

namespace {

json bytes_of(const std::string& text) {
  json out = json::array();
  for (unsigned char c : text) out.push_back(c);
  return out;
}

// {"token", "logprob", "bytes"}, and llama-server's "id" beside them when asked.
json entry(const runtime::TokenLogprob& t, const models::Tokenizer& tok, bool with_id, bool probs) {
  const std::string text = tok.token_text(t.token);
  json e = {{"token", text}, {"bytes", bytes_of(text)}};
  if (probs)
    e["prob"] = t.logprob <= runtime::kLowestLogprob ? 0.0 : std::exp(double(t.logprob));
  else
    e["logprob"] = t.logprob;
  if (with_id) e["id"] = t.token;
  return e;
}

json steps_json(std::span<const runtime::StepLogprobs> steps, const models::Tokenizer& tok, bool with_id, bool probs) {
  json out = json::array();
  for (const auto& s : steps) {
    json e = entry(s.chosen, tok, with_id, probs);
    json top = json::array();
    for (const auto& t : s.top) top.push_back(entry(t, tok, with_id, probs));
    e[probs ? "top_probs" : "top_logprobs"] = top;
    out.push_back(e);
  }
  return out;
}

}  // namespace

json chat_logprobs(std::span<const runtime::StepLogprobs> steps, const models::Tokenizer& tok, bool probs) {
  return {{"content", steps_json(steps, tok, false, probs)}, {"refusal", json()}};
}

json completion_logprobs(std::span<const runtime::StepLogprobs> steps, const models::Tokenizer& tok,
                         int64_t& text_offset) {
  json tokens = json::array(), token_logprobs = json::array(), top = json::array(), offsets = json::array();
  for (const auto& s : steps) {
    const std::string text = tok.token_text(s.chosen.token);
    tokens.push_back(text);
    token_logprobs.push_back(s.chosen.logprob);
    json alternatives = json::object();
    for (const auto& t : s.top) alternatives[tok.token_text(t.token)] = t.logprob;
    top.push_back(alternatives);
    offsets.push_back(text_offset);
    text_offset += static_cast<int64_t>(text.size());
  }
  return {{"tokens", tokens}, {"token_logprobs", token_logprobs}, {"top_logprobs", top}, {"text_offset", offsets}};
}

json llama_probabilities(std::span<const runtime::StepLogprobs> steps, const models::Tokenizer& tok, bool probs) {
  return steps_json(steps, tok, true, probs);
}

json LogprobsTap::take(Shape shape, const models::Tokenizer& tok) {
  const std::vector<runtime::StepLogprobs> steps = std::exchange(pending, {});
  switch (shape) {
    case Shape::Chat:
      return chat_logprobs(steps, tok, post_sampling);
    case Shape::Completion:
      return completion_logprobs(steps, tok, text_offset);
    case Shape::Llama:
      break;
  }
  return llama_probabilities(steps, tok, post_sampling);
}

}  // namespace lmc::tools
