// Per-token log-probabilities (runtime/token_logprobs.h) in the shapes clients read them:
// OpenAI's chat `logprobs.content`, its completions `logprobs` (tokens, token_logprobs,
// top_logprobs, text_offset), and llama-server's `completion_probabilities`. A token's
// text is its bytes as the tokenizer gives them (a piece of a UTF-8 character shows as
// U+FFFD in the text; `bytes` has it whole).
#pragma once
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/tokenizer/tokenizer.h"
#include "runtime/token_logprobs.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {

// With `probs`, each as llama-server writes post_sampling_probs: "prob" (the probability) for
// "logprob", "top_probs" for "top_logprobs".
nlohmann::json chat_logprobs(std::span<const runtime::StepLogprobs> steps, const models::Tokenizer& tok,
                             bool probs = false);
// `text_offset`: where the first token's text starts in the prompt and completion; on
// return, where the next one's does.
nlohmann::json completion_logprobs(std::span<const runtime::StepLogprobs> steps, const models::Tokenizer& tok,
                                   int64_t& text_offset);
nlohmann::json llama_probabilities(std::span<const runtime::StepLogprobs> steps, const models::Tokenizer& tok,
                                   bool probs = false);

// A job's log-probabilities as they come, handed out with the text they belong to.
struct LogprobsTap {
  std::vector<runtime::StepLogprobs> pending;
  int64_t text_offset = 0;  // completions': where the pending tokens' text starts
  bool post_sampling = false;  // post_sampling_probs: written as probabilities (OpenAI's completions: logprobs)
  // The pending tokens' log-probabilities in the answer's shape (chat, completion or
  // llama-server's), and none pending after.
  nlohmann::json take(Shape shape, const models::Tokenizer& tok);
};

}  // namespace lmc::tools
