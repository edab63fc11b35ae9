#include "tools/serve/server/rerank_endpoint.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "tools/serve/fields/request_fields.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {

namespace {

using nlohmann::json;

struct RerankRequest {
  std::string query;
  std::vector<std::string> documents;
  bool tei = false;  // asked with `texts`: TEI's answer
  size_t top_n = 0;
  bool return_text = false;
  std::string model;  // the request's, echoed as llama-server does; none: the served name
};

RerankRequest parse_rerank(std::string_view text) {
  json body = request_object(text);
  RerankRequest r;
  const json* q = given_field(body, "query");
  if (!q || !q->is_string()) invalid_field("query", "'query' must be a string");
  r.query = q->get<std::string>();
  r.tei = body.contains("texts");
  const char* name = r.tei ? "texts" : "documents";
  const json* docs = given_field(body, name);
  if (!docs || !docs->is_array() || docs->empty())
    invalid_field(name, std::string("'") + name + "' must be a non-empty array of strings");
  for (size_t i = 0; i < docs->size(); ++i) {
    if (!(*docs)[i].is_string())
      invalid_field(name, std::string("'") + name + "[" + std::to_string(i) + "]' must be a string");
    r.documents.push_back((*docs)[i].get<std::string>());
  }
  r.top_n =
      static_cast<size_t>(integer(body, "top_n", 1, INT32_MAX).value_or(static_cast<int64_t>(r.documents.size())));
  if (const json* t = given_field(body, "return_text")) {
    if (!t->is_boolean()) invalid_field("return_text", "'return_text' must be true or false");
    r.return_text = r.tei && t->get<bool>();  // as llama-server: TEI's answer only
  }
  if (const json* model = given_field(body, "model"); model && model->is_string()) r.model = model->get<std::string>();
  return r;
}

// `text`'s embedding, its tokens counted into `tokens`.
std::vector<float> embedded(const driver::LoadedModel& m, EmbeddingEngine& engine, const std::string& text,
                            const std::string& param, int64_t& tokens) {
  const models::Tokenizer& tok = *m.tokenizer;
  const std::vector<int32_t> ids = tok.encode(text, tok.wants_bos());
  const auto n = static_cast<int64_t>(ids.size());
  if (n < 1 || n > m.info.context)
    throw ApiError(
        400, "invalid_request_error",
        param + " is " + std::to_string(n) + " tokens; the context holds 1 to " + std::to_string(m.info.context),
        param);
  tokens += n;
  return engine.embed(ids);
}

}  // namespace

json rerank_answer(const driver::LoadedModel& m, EmbeddingEngine* engine, const std::string& body,
                   const std::string& served_name) {
  if (!engine) throw ApiError(501, "not_supported_error", "this server does not rerank; start it with --reranking");
  const RerankRequest r = parse_rerank(body);
  int64_t tokens = 0;
  const std::vector<float> query = embedded(m, *engine, r.query, "query", tokens);
  const char* name = r.tei ? "texts" : "documents";
  std::vector<double> scores;
  for (size_t i = 0; i < r.documents.size(); ++i) {
    const std::vector<float> doc =
        embedded(m, *engine, r.documents[i], std::string(name) + "[" + std::to_string(i) + "]", tokens);
    scores.push_back(std::inner_product(query.begin(), query.end(), doc.begin(), 0.0));
  }
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  order.resize(std::min(order.size(), r.top_n));
  json results = json::array();
  for (size_t i : order) {
    json one = {{"index", i}, {r.tei ? "score" : "relevance_score", scores[i]}};
    if (r.return_text) one["text"] = r.documents[i];
    results.push_back(std::move(one));
  }
  if (r.tei) return results;
  return {{"model", r.model.empty() ? served_name : r.model},
          {"object", "list"},
          {"usage", {{"prompt_tokens", tokens}, {"total_tokens", tokens}}},
          {"results", std::move(results)}};
}

}  // namespace lmc::tools
