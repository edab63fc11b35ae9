#include "tools/serve/fields/logit_bias_field.h"

#include <cstdlib>
#include <string>

#include "tools/serve/fields/request_fields.h"

namespace lmc::tools {
namespace {

using nlohmann::json;

float bias_value(const json& bias, bool llama) {
  if (llama && bias.is_boolean() && !bias.get<bool>()) return -100.0f;
  if (!bias.is_number() || !(bias.get<double>() >= -100 && bias.get<double>() <= 100))
    invalid_field("logit_bias", llama ? "'logit_bias' biases must be numbers from -100 to 100, or false"
                                      : "'logit_bias' values must be numbers from -100 to 100");
  return static_cast<float>(bias.get<double>());
}

// An object's key: a token id, or (llama-server's) a text.
void add_key(const std::string& key, const json& bias, int64_t vocab, bool llama, LogitBias& out) {
  char* end = nullptr;
  const long long id = std::strtoll(key.c_str(), &end, 10);
  if (!key.empty() && !*end) {
    out.ids.emplace_back(token_id(json(id), vocab, "logit_bias"), bias_value(bias, llama));
    return;
  }
  if (!llama) invalid_field("logit_bias", "'logit_bias' keys must be token ids, not '" + key + "'");
  out.texts.emplace_back(key, bias_value(bias, llama));
}

}  // namespace

LogitBias logit_bias_field(const json& body, int64_t vocab, bool llama) {
  LogitBias out;
  const json* v = given_field(body, "logit_bias");
  if (!v) return out;
  if (v->is_object()) {
    for (const auto& [key, bias] : v->items()) add_key(key, bias, vocab, llama, out);
    return out;
  }
  if (!llama || !v->is_array())
    invalid_field("logit_bias", llama ? "'logit_bias' must be an object or an array of [token id or text, bias]"
                                      : "'logit_bias' must be an object of token ids to biases");
  for (const json& pair : *v) {
    if (!pair.is_array() || pair.size() != 2)
      invalid_field("logit_bias", "'logit_bias' entries must be [token id or text, bias]");
    if (pair[0].is_string())
      out.texts.emplace_back(pair[0].get<std::string>(), bias_value(pair[1], true));
    else
      out.ids.emplace_back(token_id(pair[0], vocab, "logit_bias"), bias_value(pair[1], true));
  }
  return out;
}

void check_some_token_allowed(const std::vector<std::pair<int32_t, float>>& biases, int64_t vocab) {
  if (static_cast<int64_t>(biases.size()) < vocab) return;  // some token has no bias at all
  std::vector<float> sum(static_cast<size_t>(vocab), 0.0f);
  for (auto [id, bias] : biases) sum[static_cast<size_t>(id)] += bias;
  for (float s : sum)
    if (s > -100) return;
  invalid_field("logit_bias", "every token is banned ('logit_bias' of -100 or less, or false, on each of the " +
                                  std::to_string(vocab) + "): nothing could be generated");
}

}  // namespace lmc::tools
