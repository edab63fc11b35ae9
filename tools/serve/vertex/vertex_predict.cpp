#include "tools/serve/vertex/vertex_predict.h"

#include <cctype>

#include "tools/serve/answer/answer_json.h"
#include "tools/serve/answer/api_errors.h"
#include "tools/serve/request/serve_request.h"

namespace lmc::tools {

using nlohmann::json;

namespace {

// Vertex AI's bound on one request's instances, as llama-server's.
constexpr size_t kMostInstances = 128;

json instance_error(const std::string& message) { return error_body(400, "invalid_request_error", message); }

}  // namespace

std::string vertex_request_format(const std::string& path) {
  std::string rest = path.rfind("/v1/", 0) == 0 ? path.substr(3) : path;
  if (!rest.empty() && rest[0] == '/') rest.erase(0, 1);
  std::string name;
  bool upper = false;
  for (const char c : rest) {
    if (c == '/' || c == '-' || c == '_') {
      upper = true;
      continue;
    }
    name += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return name;
}

std::map<std::string, std::string> vertex_request_formats(const std::vector<std::string>& paths) {
  std::map<std::string, std::string> formats;
  for (const std::string& path : paths) {
    auto [at, added] = formats.emplace(vertex_request_format(path), path);
    if (!added && path.rfind("/v1/", 0) == 0) at->second = path;
  }
  return formats;
}

std::vector<VertexInstance> vertex_instances(const std::string& body,
                                             const std::map<std::string, std::string>& formats) {
  const json data = json::parse(body, nullptr, false);
  if (data.is_discarded() || !data.is_object())
    throw ApiError(400, "invalid_request_error", "the predict body must be a JSON object");
  if (!data.contains("instances") || !data["instances"].is_array())
    throw ApiError(400, "invalid_request_error", "the predict body must have an array \"instances\"", "instances");
  if (data["instances"].size() > kMostInstances)
    throw ApiError(400, "invalid_request_error",
                   "\"instances\" holds more than " + std::to_string(kMostInstances) + " instances", "instances");
  std::vector<VertexInstance> out;
  for (json instance : data["instances"]) {
    VertexInstance v;
    if (!instance.is_object() || !instance.contains("@requestFormat") || !instance["@requestFormat"].is_string()) {
      v.error = instance_error("each instance must be a JSON object with a string \"@requestFormat\"");
      out.push_back(std::move(v));
      continue;
    }
    const std::string format = instance["@requestFormat"].get<std::string>();
    instance.erase("@requestFormat");
    auto named = formats.find(format);
    bool is_path = false;
    for (const auto& [name, path] : formats) is_path = is_path || path == format;
    if (named != formats.end())
      v.path = named->second;
    else if (is_path)
      v.path = format;
    else
      v.error = instance_error("no route answers the @requestFormat \"" + format + "\"");
    // A prediction is one answer: an instance that asks for a stream gets it whole.
    if (instance.contains("stream")) instance["stream"] = false;
    v.body = instance.dump();
    out.push_back(std::move(v));
  }
  return out;
}

// One instance's answer, handed to the gathering; a stream it cannot hold is its error.
class VertexInstanceExchange final : public http::Exchange {
 public:
  VertexInstanceExchange(std::shared_ptr<VertexPredictions> all, size_t i) : all_(std::move(all)), i_(i) {}
  void reply(int, const std::string&, std::string body, http::Headers) override {
    json parsed = json::parse(body, nullptr, false);
    all_->put(i_, parsed.is_discarded() ? json(body) : std::move(parsed));
  }
  void open_stream(const std::string&, std::string, std::chrono::milliseconds,
                   std::function<void(bool)> on_end) override {
    all_->put(i_, instance_error("the predict route answers whole, not streamed"));
    if (on_end) on_end(false);
  }
  bool write(std::string) override { return false; }
  void end_stream() override {}
  void on_gone(std::function<void()> f) override {
    std::lock_guard<std::mutex> lock(all_->mu_);
    all_->on_gone_.push_back(std::move(f));
  }

 private:
  std::shared_ptr<VertexPredictions> all_;
  size_t i_;
};

VertexPredictions::VertexPredictions(std::shared_ptr<http::Exchange> client, size_t n)
    : client_(std::move(client)), predictions_(json::array()), answered_(n, false), left_(n) {
  for (size_t i = 0; i < n; ++i) predictions_.push_back(nullptr);
  if (n == 0) send_json(*client_, 200, {{"predictions", predictions_}});
}

std::shared_ptr<http::Exchange> VertexPredictions::answer(size_t i) {
  return std::make_shared<VertexInstanceExchange>(shared_from_this(), i);
}

void VertexPredictions::put(size_t i, json prediction) {
  std::unique_lock<std::mutex> lock(mu_);
  if (answered_[i]) return;  // an exchange answers once
  answered_[i] = true;
  predictions_[i] = std::move(prediction);
  if (--left_ > 0) return;
  const json body = {{"predictions", std::move(predictions_)}};
  on_gone_.clear();  // nothing left to cancel (and what they hold is let go)
  lock.unlock();
  send_json(*client_, 200, body);
}

void VertexPredictions::watch_client() {
  client_->on_gone([weak = std::weak_ptr<VertexPredictions>(shared_from_this())] {
    auto all = weak.lock();
    if (!all) return;
    std::vector<std::function<void()>> each;
    {
      std::lock_guard<std::mutex> lock(all->mu_);
      each.swap(all->on_gone_);
    }
    for (auto& f : each) f();
  });
}

}  // namespace lmc::tools
