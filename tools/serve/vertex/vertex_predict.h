// Vertex AI's prediction protocol, as llama-server speaks it when started with AIP_MODE=PREDICTION:
// POST to the predict route (AIP_PREDICT_ROUTE, default /predict) with {"instances": [...]},
// each instance the body of the route its "@requestFormat" names, and the answer
// {"predictions": [...]} with each instance's answer body in order, an error's too. An
// instance is answered whole (its "stream" is set false) and they all run at once.
#pragma once
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "tools/serve/http/http_server.h"

namespace lmc::tools {

// The name "@requestFormat" gives a POST route: its path without /v1, in camelCase at each
// '/', '-' or '_' ("/v1/chat/completions" -> "chatCompletions", "/apply-template" -> "applyTemplate").
std::string vertex_request_format(const std::string& path);

// The route each "@requestFormat" stands for among `paths`: its camelCase name, or the path
// itself. Where two paths share a name, the /v1 one (OpenAI's shape) answers it.
std::map<std::string, std::string> vertex_request_formats(const std::vector<std::string>& paths);

// The instances of a predict body, each the body of a request to the route its format names
// (nullopt: the instance's own error, kept in its place among the predictions). Throws
// ApiError (400) when the body is not {"instances": [...]} of at most 128.
struct VertexInstance {
  std::string path;
  std::string body;
  std::optional<nlohmann::json> error;  // the prediction of an instance that cannot be sent
};
std::vector<VertexInstance> vertex_instances(const std::string& body,
                                             const std::map<std::string, std::string>& formats);

// Where the instances' answers gather: the client is answered {"predictions": [...]} once the
// last one is in. answer(i) is the exchange instance i is answered through.
class VertexPredictions : public std::enable_shared_from_this<VertexPredictions> {
 public:
  VertexPredictions(std::shared_ptr<http::Exchange> client, size_t n);
  std::shared_ptr<http::Exchange> answer(size_t i);
  void put(size_t i, nlohmann::json prediction);
  // Calls each instance's on_gone when the client leaves (the client's exchange takes one).
  void watch_client();

 private:
  friend class VertexInstanceExchange;
  std::shared_ptr<http::Exchange> client_;
  std::mutex mu_;
  nlohmann::json predictions_;
  std::vector<bool> answered_;
  size_t left_;
  std::vector<std::function<void()>> on_gone_;
};

}  // namespace lmc::tools
