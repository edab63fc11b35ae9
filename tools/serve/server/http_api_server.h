// The HTTP side of lmc serve (the module liblmc-serve.so, tools/serve/engine/api_server.h): the
// routes and the generation requests (serve_http.cpp), and how a generation's answer goes
// back to its client, whole or streamed (serve_answers.cpp).
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "tools/serve/answer/answer_json.h"
#include "tools/serve/answer/chat_answer.h"
#include "tools/serve/answer/choices.h"
#include "tools/serve/answer/logprobs_json.h"
#include "tools/serve/answer/stream_gate.h"
#include "tools/serve/engine/api_server.h"
#include "tools/serve/http/http_server.h"
#include "tools/serve/request/serve_request.h"
#include "tools/serve/server/cors_proxy_endpoint.h"
#include "tools/serve/server/metrics_text.h"
#include "tools/serve/server/tools_endpoint.h"

namespace lmc::tools {

using Route = std::function<void(const http::Request&, const std::shared_ptr<http::Exchange>&)>;

class HttpApiServer;
// A dialect's routes, added to the server after its own (the route table, tools/serve/route_table.cpp).
using DialectRoutes = void (*)(HttpApiServer&);

class HttpApiServer final : public ApiServer {
 public:
  // `dialects`' routes are added after the server's own, in their order.
  HttpApiServer(const driver::LoadedModel& m, ServeBackends backends, ServeOptions opts,
                std::span<const DialectRoutes> dialects);
  int bind() override;
  void listen() override;
  void shutdown() override;

  // What a dialect's routes are added with.
  void add_route(const std::string& method, const std::string& path, Route route);
  // A POST generating the chat its body stands for (`as_chat`: the chat request's body), its
  // answer written through the exchange `translate` makes of the client's (given the chat's body).
  using ChatTranslation =
      std::function<std::shared_ptr<http::Exchange>(const std::shared_ptr<http::Exchange>&, const std::string&)>;
  void add_chat_generation(const std::string& path, std::function<std::string(const std::string&)> as_chat,
                           ChatTranslation translate);
  bool has_route(const std::string& method, const std::string& path) const { return routes_.count({method, path}); }
  const Route& route_at(const std::string& method, const std::string& path) const { return routes_.at({method, path}); }
  // The paths POST answers at, in order.
  std::vector<std::string> post_paths() const;
  const ServeOptions& options() const { return opts_; }
  // The tokens a chat request's rendered prompt holds.
  int64_t chat_prompt_tokens(const std::string& body) const;

 private:
  void routes(std::span<const DialectRoutes> dialects);
  // A POST that generates in `shape`; its log line is written when it ends.
  // `rewrite`: the body a request stands for (/infill's /completion), else the body as sent.
  void add_generation(const std::string& path, Shape shape,
                      std::function<std::string(const std::string&)> rewrite = nullptr);
  void dispatch(const http::Request& req, const std::shared_ptr<http::Exchange>& ex);
  void generate(const http::Request& req, const std::shared_ptr<http::Exchange>& ex, Shape shape);
  // A generation's answer: the request as one line for the log, its id, its kind.
  struct Answer {
    std::string request;  // "POST /v1/completions"
    std::chrono::steady_clock::time_point t0;
    std::string id;
    Shape shape;
    nlohmann::json settings;  // llama-server's generation_settings
    std::shared_ptr<LogprobsTap> logprobs;  // when asked for
    ToolOptions tools;                      // a chat's, when it gives some
    ReasoningRead reasoning;                // a chat's
    bool several = false;                   // llama-server's several prompts: an array of answers
    bool return_tokens = false;             // its answers carry their token ids
    std::optional<std::string> verbose_prompt;  // llama-server's "verbose": __verbose with the prompt
    bool return_progress = false;    // a stream's events of where reading the prompt stands
    bool timings_per_token = false;  // a stream's pieces carry the timings so far
    std::string prompt;              // llama-server's /completion answer: its prompt's tokens as text
  };
  // The pending log-probabilities put in an answer or chunk, when they were asked for.
  void add_logprobs(nlohmann::json& into, const Answer& a) const;
  // One answer with a choice per job (OpenAI's n), each with its Answer, once the last ends.
  void respond_whole(const std::shared_ptr<http::Exchange>& ex, const std::vector<std::shared_ptr<Job>>& jobs,
                     const std::vector<Answer>& as);
  void answer_whole(http::Exchange& ex, const ChoiceResults& c, const std::vector<Answer>& as);
  void respond_stream(const std::shared_ptr<http::Exchange>& ex, const std::shared_ptr<Job>& job, const Answer& a,
                      bool include_usage);
  // llama-server's stream: a piece per event, the last one the whole answer without text.
  void respond_llama_stream(const std::shared_ptr<http::Exchange>& ex, const std::shared_ptr<Job>& job,
                            const Answer& a);
  void submit(const std::shared_ptr<Job>& job, const std::shared_ptr<StreamGate>& gate);
  // The job is cancelled the moment its client leaves (http::Exchange::on_gone): a waiting
  // one gives its place in the queue up, a running one its slot.
  void watch_client(const std::shared_ptr<http::Exchange>& ex, const std::vector<std::shared_ptr<Job>>& jobs);
  // One line on stderr per request: what, status, time and, for a generation, its tokens.
  // A generation's end (`r`) counts as activity for --sleep-idle-seconds.
  void log_request(const std::string& request, int status, std::chrono::steady_clock::time_point t0,
                   const JobResult* r = nullptr);
  // llama-server's --sleep-idle-seconds: asleep once nothing has run nor been asked for that
  // long (/props' is_sleeping); a request other than a read-only one wakes it.
  void wake();
  bool sleeping() const;
  // A scrape of /metrics; llama-server's throughput gauges are over the time since the last.
  std::string metrics();
  void count(const std::string& path, int status);
  // The name clients see: --alias, else the model's.
  const std::string& served_name() const { return opts_.aliases.empty() ? m_.info.name : opts_.aliases.front(); }

  const driver::LoadedModel& m_;
  ServeEngine* engine_;         // null when the server embeds
  EmbeddingEngine* embedder_;   // null when it generates
  const models::ChatTemplate* chat_;  // null when the model does not chat
  ImageInput* images_;                // null without --mmproj
  ServeOptions opts_;
  ToolCallFormat tool_format_;  // how this model's chats write tool calls
  nlohmann::json template_caps_;          // /props' chat_template_caps, found once
  std::map<std::pair<std::string, std::string>, Route> routes_;  // (method, path)
  std::set<std::string> generations_;                             // paths that answer later
  http::Server http_;
  std::unique_ptr<ToolsEndpoint> tools_;  // --tools' /tools; after http_: its calls end while the server still is
  std::unique_ptr<CorsProxyEndpoint> proxy_;  // --ui-mcp-proxy's /cors-proxy; after http_ as tools_
  std::atomic<bool> draining_{false};
  std::atomic<uint64_t> next_id_{1};
  RequestCounter requests_;
  std::mutex scrape_mu_;
  EngineCounters last_scrape_;  // the counters /metrics last read
  int64_t started_ = now_seconds();  // when the server started (Unix seconds)
  std::atomic<std::chrono::steady_clock::rep> last_active_{std::chrono::steady_clock::now().time_since_epoch().count()};
};

}  // namespace lmc::tools
