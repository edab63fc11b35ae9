// lmc serve's HTTP server with cpp-httplib: the module liblmc-serve.so (tools/api_server.h).
#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <future>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "ir/error.h"
#include "models/chat_conversation.h"
#include "tools/api_server.h"
#include "tools/serve_request.h"

namespace lmc::tools {

namespace {

using nlohmann::json;

// While a streamed request waits its turn, a comment line every so often finds out
// whether its client is still there (a write to a closed connection fails).
constexpr auto kKeepAlive = std::chrono::seconds(1);

// A request without max_tokens: OpenAI's completions default of 16 tokens; a chat answer
// runs to its end of text (or the room left in the context).
int64_t default_max_tokens(bool chat, int64_t room) { return chat ? room : std::min<int64_t>(16, room); }

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

json error_body(const std::string& type, const std::string& message, const std::string& param = "") {
  return {{"error", {{"message", message}, {"type", type}, {"param", param.empty() ? json() : json(param)},
                     {"code", json()}}}};
}

// Generated text may hold invalid UTF-8 (a byte token the decoder could not complete):
// it is replaced by U+FFFD rather than failing the response.
std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

void send_json(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

const char* status_type(int status) {
  switch (status) {
    case 401: return "authentication_error";
    case 404: return "not_found_error";
    case 413: return "request_too_large";
    case 503: return "server_overloaded";
    default: return status >= 500 ? "server_error" : "invalid_request_error";
  }
}

// The events of one streamed response, from the engine's worker to the HTTP thread.
struct EventQueue {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::string> events;
  bool done = false;

  void push(std::string e, bool last = false) {
    {
      std::lock_guard lock(mu);
      events.push_back(std::move(e));
      done = done || last;
    }
    cv.notify_one();
  }
};

std::string sse(const json& chunk) { return "data: " + dump(chunk) + "\n\n"; }

json choice_chunk(bool chat, const std::string& text, const json& finish) {
  if (chat) return {{"index", 0}, {"delta", text.empty() ? json::object() : json{{"content", text}}},
                    {"finish_reason", finish}};
  return {{"index", 0}, {"text", text}, {"logprobs", json()}, {"finish_reason", finish}};
}

// A handler whose ApiError becomes its JSON error answer.
template <typename Handler>
auto answering(Handler h) {
  return [h](const httplib::Request& req, httplib::Response& res) {
    try {
      h(req, res);
    } catch (const ApiError& e) {
      send_json(res, e.status, error_body(e.type, e.what(), e.param));
    }
  };
}

json usage(const JobResult& r) {
  return {{"prompt_tokens", r.prompt_tokens}, {"completion_tokens", r.completion_tokens},
          {"total_tokens", r.prompt_tokens + r.completion_tokens},
          {"prompt_tokens_details", {{"cached_tokens", r.cached_tokens}}}};
}

class HttpApiServer final : public ApiServer {
 public:
  HttpApiServer(const driver::LoadedModel& m, ServeEngine& engine, ServeOptions opts);
  int bind() override;
  void listen() override;
  void shutdown() override;

 private:
  void routes();
  void generate(const httplib::Request& req, httplib::Response& res, bool chat);
  std::string prompt_text(const ServeRequest& r) const;
  void respond_whole(httplib::Response& res, const std::shared_ptr<Job>& job, const std::string& id, bool chat);
  void respond_stream(httplib::Response& res, const std::shared_ptr<Job>& job, const std::string& id, bool chat,
                      bool include_usage);
  std::string metrics() const;
  void count(const std::string& path, int status);

  const driver::LoadedModel& m_;
  ServeEngine& engine_;
  ServeOptions opts_;
  httplib::Server http_;
  std::atomic<bool> draining_{false};
  std::atomic<int64_t> open_streams_{0};
  std::atomic<uint64_t> next_id_{1};
  mutable std::mutex counts_mu_;
  std::map<std::pair<std::string, int>, int64_t> requests_;  // (path, status) -> count
};

}  // namespace

HttpApiServer::HttpApiServer(const driver::LoadedModel& m, ServeEngine& engine, ServeOptions opts)
    : m_(m), engine_(engine), opts_(std::move(opts)) {
  routes();
}

int HttpApiServer::bind() {
  int port = opts_.port == 0 ? http_.bind_to_any_port(opts_.host)
                             : (http_.bind_to_port(opts_.host, opts_.port) ? opts_.port : -1);
  if (port <= 0)
    throw Error(opts_.host + ":" + std::to_string(opts_.port) + ": error: cannot listen there (in use, or not an "
                "address of this machine)");
  return port;
}

void HttpApiServer::listen() { http_.listen_after_bind(); }

void HttpApiServer::shutdown() {
  draining_ = true;
  engine_.drain();
  while (open_streams_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  http_.stop();
}

void HttpApiServer::count(const std::string& path, int status) {
  // Paths are the client's text: only the endpoints get their own series.
  static const char* const kEndpoints[] = {"/health",         "/metrics",        "/v1/models", "/v1/completions",
                                           "/v1/chat/completions", "/tokenize", "/detokenize"};
  std::string label = "other";
  for (const char* e : kEndpoints)
    if (path == e) label = e;
  std::lock_guard lock(counts_mu_);
  ++requests_[{label, status}];
}

void HttpApiServer::routes() {
  httplib::Server& s = http_;
  s.set_payload_max_length(opts_.max_body_bytes);
  // Enough threads that a request past the queue's bound reaches its 503 at once.
  s.new_task_queue = [] { return new httplib::ThreadPool(32); };
  s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (opts_.api_key.empty() || req.path == "/health" ||
        req.get_header_value("Authorization") == "Bearer " + opts_.api_key)
      return httplib::Server::HandlerResponse::Unhandled;
    send_json(res, 401, error_body("authentication_error", "a valid API key is required (Authorization: Bearer KEY)"));
    return httplib::Server::HandlerResponse::Handled;
  });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    std::string what = res.status == 404 ? "no endpoint " + req.method + " " + req.path.substr(0, 200)
                       : res.status == 413 ? "the request body is larger than the server accepts"
                                           : "the request cannot be served (HTTP " + std::to_string(res.status) + ")";
    send_json(res, res.status, error_body(status_type(res.status), what));
  });
  s.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    send_json(res, 500, error_body("server_error", "internal error"));
  });
  s.set_logger([this](const httplib::Request& req, const httplib::Response& res) { count(req.path, res.status); });

  s.Get("/health", [](const httplib::Request&, httplib::Response& res) { send_json(res, 200, {{"status", "ok"}}); });
  s.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
    json model = {{"id", m_.info.name}, {"object", "model"}, {"created", now_seconds()}, {"owned_by", "lmc"},
                  {"meta", {{"context", m_.info.context}}}};
    send_json(res, 200, {{"object", "list"}, {"data", json::array({model})}});
  });
  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics(), "text/plain; version=0.0.4");
  });
  auto generation = [this](bool chat) {
    return answering([this, chat](const httplib::Request& req, httplib::Response& res) { generate(req, res, chat); });
  };
  const models::Tokenizer& tok = *m_.tokenizer;
  s.Post("/tokenize", answering([&tok](const httplib::Request& req, httplib::Response& res) {
    TokenizeRequest t = parse_tokenize(req.body);
    send_json(res, 200, {{"tokens", tok.encode(t.content, t.add_special && tok.wants_bos())}});
  }));
  s.Post("/detokenize", answering([&tok](const httplib::Request& req, httplib::Response& res) {
    send_json(res, 200, {{"content", tok.decode(parse_detokenize(req.body, static_cast<int64_t>(tok.size())))}});
  }));
  s.Post("/v1/completions", generation(false));
  s.Post("/v1/chat/completions", generation(true));
}

std::string HttpApiServer::prompt_text(const ServeRequest& r) const {
  if (!r.chat) return r.prompt;
  if (m_.info.chat.empty())
    throw ApiError(400, "invalid_request_error", "the model " + m_.info.name +
                   " has no chat format; use /v1/completions", "messages");
  std::optional<std::string> system;
  size_t at = 0;
  for (; at < r.messages.size() && r.messages[at].role == "system"; ++at)
    system = system ? *system + "\n\n" + r.messages[at].content : r.messages[at].content;
  models::Conversation conversation(m_.info.chat, system);
  std::string text;
  for (size_t i = at; i < r.messages.size(); ++i) {
    const ChatMessage& msg = r.messages[i];
    if (msg.role != ((i - at) % 2 == 0 ? "user" : "assistant"))
      throw ApiError(400, "invalid_request_error", "after the system messages, messages must alternate user and "
                     "assistant, starting with user", "messages[" + std::to_string(i) + "].role");
    text += msg.role == "user" ? conversation.ask(msg.content) : msg.content;
  }
  return text;
}

void HttpApiServer::generate(const httplib::Request& req, httplib::Response& res, bool chat) {
  const int64_t context = m_.info.context;
  const models::Tokenizer& tok = *m_.tokenizer;
  ServeRequest r = parse_request(req.body, chat, context, static_cast<int64_t>(tok.size()));
  if (r.model && *r.model != m_.info.name)
    throw ApiError(404, "model_not_found", "the model '" + *r.model + "' does not exist; this server serves '" +
                   m_.info.name + "'", "model");
  if (draining_) throw ApiError(503, "server_overloaded", "the server is shutting down");
  auto job = std::make_shared<Job>();
  job->prompt = r.prompt_tokens.empty() ? tok.encode(prompt_text(r), tok.wants_bos()) : r.prompt_tokens;
  const auto n = static_cast<int64_t>(job->prompt.size());
  if (n >= context)
    throw ApiError(400, "invalid_request_error", "the prompt is " + std::to_string(n) +
                   " tokens; the context holds " + std::to_string(context), chat ? "messages" : "prompt");
  job->generation.max_tokens = std::min(r.max_tokens.value_or(default_max_tokens(chat, context - n)), context - n);
  if (opts_.n_predict > 0) job->generation.max_tokens = std::min(job->generation.max_tokens, opts_.n_predict);
  job->generation.sampling = r.sampling;
  if (!r.seeded) job->generation.sampling.seed = std::random_device{}();
  job->stop = r.stop;
  job->reuse_prefix = r.cache_prompt;
  job->ignore_eos = r.ignore_eos;
  job->response_format = r.response_format;
  const std::string id = (chat ? "chatcmpl-" : "cmpl-") + std::to_string(next_id_++);
  if (r.stream)
    respond_stream(res, job, id, chat, r.include_usage);
  else
    respond_whole(res, job, id, chat);
}

void HttpApiServer::respond_whole(httplib::Response& res, const std::shared_ptr<Job>& job, const std::string& id,
                              bool chat) {
  auto text = std::make_shared<std::string>();
  auto done = std::make_shared<std::promise<JobResult>>();
  job->on_text = [text](const std::string& piece) {
    *text += piece;
    return true;
  };
  job->on_done = [done](const JobResult& r) { done->set_value(r); };
  auto result = done->get_future();
  if (!engine_.submit(job)) throw ApiError(503, "server_overloaded", "every slot and queue place is taken; retry later");
  JobResult r = result.get();
  if (r.finish_reason == "error") throw ApiError(500, "server_error", r.error);
  json choice = chat ? json{{"index", 0}, {"message", {{"role", "assistant"}, {"content", *text}}},
                            {"finish_reason", r.finish_reason}}
                     : json{{"index", 0}, {"text", *text}, {"logprobs", json()}, {"finish_reason", r.finish_reason}};
  send_json(res, 200, {{"id", id}, {"object", chat ? "chat.completion" : "text_completion"},
                       {"created", now_seconds()}, {"model", m_.info.name}, {"choices", json::array({choice})},
                       {"usage", usage(r)}});
}

// The last chunk carries the usage; with stream_options.include_usage, as OpenAI sends it,
// one more chunk without choices does.
void HttpApiServer::respond_stream(httplib::Response& res, const std::shared_ptr<Job>& job, const std::string& id,
                                   bool chat, bool include_usage) {
  auto events = std::make_shared<EventQueue>();
  json head = {{"id", id}, {"object", chat ? "chat.completion.chunk" : "text_completion"},
               {"created", now_seconds()}, {"model", m_.info.name}};
  auto chunk = [head](const json& choice) {
    json c = head;
    c["choices"] = json::array({choice});
    return c;
  };
  if (chat) events->push(sse(chunk({{"index", 0}, {"delta", {{"role", "assistant"}, {"content", ""}}},
                                    {"finish_reason", json()}})));
  job->on_text = [events, chunk, chat](const std::string& piece) {
    events->push(sse(chunk(choice_chunk(chat, piece, json()))));
    return true;
  };
  job->on_done = [events, chunk, chat, include_usage, head](const JobResult& r) {
    if (r.finish_reason == "error") {
      events->push(sse(error_body("server_error", r.error)) + "data: [DONE]\n\n", true);
      return;
    }
    json last = chunk(choice_chunk(chat, "", r.finish_reason));
    last["usage"] = usage(r);
    std::string tail = sse(last);
    if (include_usage) {
      json totals = head;
      totals["choices"] = json::array();
      totals["usage"] = usage(r);
      tail += sse(totals);
    }
    events->push(tail + "data: [DONE]\n\n", true);
  };
  if (!engine_.submit(job)) throw ApiError(503, "server_overloaded", "every slot and queue place is taken; retry later");
  ++open_streams_;
  res.set_header("Cache-Control", "no-cache");
  res.set_chunked_content_provider(
      "text/event-stream",
      [events, job](size_t, httplib::DataSink& sink) {
        std::unique_lock lock(events->mu);
        if (!events->cv.wait_for(lock, kKeepAlive, [&] { return !events->events.empty() || events->done; })) {
          lock.unlock();
          static const char kComment[] = ": waiting\n\n";
          if (!sink.write(kComment, sizeof kComment - 1)) job->cancelled = true;
          return !job->cancelled;
        }
        std::deque<std::string> ready;
        ready.swap(events->events);
        bool finished = events->done;
        lock.unlock();
        for (const std::string& e : ready)
          if (!sink.write(e.data(), e.size())) {
            job->cancelled = true;
            return false;
          }
        if (finished) sink.done();
        return true;
      },
      [this, job](bool success) {
        if (!success) job->cancelled = true;  // the client left: the engine drops the job at its next token
        --open_streams_;
      });
}

std::string HttpApiServer::metrics() const {
  EngineCounters c = engine_.counters();
  std::ostringstream out;
  auto metric = [&](const char* name, const char* type, const char* help, auto value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " " << type << "\n" << name << " " << value
        << "\n";
  };
  out << "# HELP lmc_requests_total HTTP requests answered, by path and status.\n# TYPE lmc_requests_total counter\n";
  {
    std::lock_guard lock(counts_mu_);
    for (const auto& [key, n] : requests_)
      out << "lmc_requests_total{path=\"" << key.first << "\",status=\"" << key.second << "\"} " << n << "\n";
  }
  metric("lmc_prompt_tokens_total", "counter", "Prompt tokens read.", c.prompt_tokens);
  metric("lmc_prompt_tokens_cached_total", "counter",
         "Prompt tokens a slot's KV cache already held (prefix reuse): not computed again.", c.cached_tokens);
  metric("lmc_generated_tokens_total", "counter", "Tokens generated.", c.generated_tokens);
  metric("lmc_generations_total", "counter", "Generations finished.", c.jobs_done);
  metric("lmc_queue_depth", "gauge", "Generations waiting for the model.", c.queued);
  metric("lmc_generations_running", "gauge", "Generations running.", c.running);
  metric("lmc_decode_tokens_per_second", "gauge", "Decode speed of the last finished generation.",
         c.last_decode_tokens_per_second);
  metric("lmc_busy_seconds_total", "counter",
         "Time the model spent in steps (generated tokens over it: the throughput of all streams together).",
         c.busy_seconds);
  return out.str();
}

namespace {
std::unique_ptr<ApiServer> make_server(const driver::LoadedModel& m, ServeEngine& engine, ServeOptions opts) {
  return std::make_unique<HttpApiServer>(m, engine, std::move(opts));
}
}  // namespace

}  // namespace lmc::tools

extern "C" __attribute__((visibility("default"))) const lmc::tools::ServeModule* lmc_serve_module_v1() {
  static const lmc::tools::ServeModule module{lmc::tools::make_server};
  return &module;
}
