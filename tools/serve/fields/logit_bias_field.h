// A request's logit_bias: OpenAI's object {"token id": bias}, and llama-server's forms too on
// its /completion — [[id, bias], ...] where a bias of false bans, and a text in place of an id
// ({"text": bias}, [["text", bias]]), which biases each token the text is written in.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace lmc::tools {

struct LogitBias {
  std::vector<std::pair<int32_t, float>> ids;
  std::vector<std::pair<std::string, float>> texts;  // tokenized where the tokenizer is
};

// OpenAI's object of token ids (`llama` false), or any of llama-server's forms.
LogitBias logit_bias_field(const nlohmann::json& body, int64_t vocab, bool llama);

// A 400 when `biases` (the ids', the texts' tokens', ignore_eos's bans, summed per token) ban
// every one of the `vocab` tokens: -100 is a ban (OpenAI's), and a shift every token shares
// would otherwise leave the unbiased text, silently.
void check_some_token_allowed(const std::vector<std::pair<int32_t, float>>& biases, int64_t vocab);

}  // namespace lmc::tools
