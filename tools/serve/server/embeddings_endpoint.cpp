#include "tools/serve/server/embeddings_endpoint.h"

#include <nettle/base64.h>

#include "tools/serve/request/serve_request.h"
#include "tools/serve/server/request_images.h"

namespace lmc::tools {

namespace {

using nlohmann::json;

// The floats' little-endian bytes in base64 (OpenAI's encoding_format "base64").
std::string base64_floats(const std::vector<float>& v) {
  const size_t bytes = v.size() * sizeof(float);
  std::string out(BASE64_ENCODE_RAW_LENGTH(bytes), '\0');
  base64_encode_raw(out.data(), bytes, reinterpret_cast<const uint8_t*>(v.data()));
  return out;
}

// Pooling none's rows, one array a token.
json token_rows(const std::vector<float>& e, int64_t d) {
  json out = json::array();
  for (size_t at = 0; at < e.size(); at += static_cast<size_t>(d))
    out.push_back(std::vector<float>(e.begin() + static_cast<int64_t>(at), e.begin() + static_cast<int64_t>(at) + d));
  return out;
}

}  // namespace

json embeddings_answer(const driver::LoadedModel& m, EmbeddingEngine* engine, ImageInput* images,
                       const std::string& body, bool openai, const std::string& served_name) {
  if (!engine)
    throw ApiError(501, "not_supported_error",
                   "this server generates and does not compute embeddings; start it "
                   "with --embeddings");
  const bool rows = engine->pooling() == Pooling::None;
  if (rows && openai)
    throw ApiError(400, "invalid_request_error",
                   "/v1/embeddings gives one vector an input, and this server pools none (--pooling none): "
                   "ask /embeddings for each token's");
  const models::Tokenizer& tok = *m.tokenizer;
  EmbeddingRequest r = parse_embeddings(body, static_cast<int64_t>(tok.size()), engine->dimensions());
  json data = json::array();
  int64_t tokens = 0;
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    const ImagePromptTokens p = embedding_input_tokens(images, r.inputs[i], tok, m.info.step_tokens);
    const auto n = static_cast<int64_t>(p.tokens.size());
    if (n < 1 || n > m.info.context)
      throw ApiError(400, "invalid_request_error",
                     "input " + std::to_string(i) + " is " + std::to_string(n) + " tokens; the context holds 1 to " +
                         std::to_string(m.info.context),
                     "input");
    std::vector<float> e = engine->embed(p.tokens, p.images);
    tokens += n;
    json vec = r.base64 ? json(base64_floats(e)) : json(e);
    if (rows)
      data.push_back({{"index", i}, {"embedding", token_rows(e, engine->dimensions())}});
    else
      data.push_back(openai ? json{{"object", "embedding"}, {"index", i}, {"embedding", std::move(vec)}}
                            : json{{"index", i}, {"embedding", json::array({std::move(vec)})}});
  }
  if (!openai) return data;
  return {{"object", "list"},
          {"data", std::move(data)},
          {"model", served_name},
          {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}}};
}

}  // namespace lmc::tools
