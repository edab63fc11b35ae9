// lmc serve's OpenAI API on its HTTP transport (tools/serve/http/http_server.h): the module
// liblmc-serve.so (tools/serve/engine/api_server.h).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <utility>
#include <vector>

#include "support/error.h"
#include "support/untrusted_text.h"
#include "tools/serve/answer/answer_json.h"
#include "tools/serve/answer/api_errors.h"
#include "tools/serve/answer/chat_answer.h"
#include "tools/serve/answer/choices.h"
#include "tools/serve/answer/logprobs_json.h"
#include "tools/serve/answer/stream_gate.h"
#include "tools/serve/engine/api_server.h"
#include "tools/serve/fields/ignored_fields.h"
#include "tools/serve/fields/llama_prompts.h"
#include "tools/serve/fields/logit_bias_field.h"
#include "tools/serve/http/authorization.h"
#include "tools/serve/http/cors.h"
#include "tools/serve/http/http_server.h"
#include "tools/serve/http/refusal_log.h"
#include "tools/serve/llama/infill.h"
#include "tools/serve/llama/llama_endpoints.h"
#include "tools/serve/llama/slot_actions.h"
#include "tools/serve/request/chat_prompt.h"
#include "tools/serve/request/serve_request.h"
#include "tools/serve/request/template_caps.h"
#include "tools/serve/request/template_fields.h"
#include "tools/serve/server/chat_page.h"
#include "tools/serve/server/embeddings_endpoint.h"
#include "tools/serve/server/http_api_server.h"
#include "tools/serve/server/metrics_text.h"
#include "tools/serve/server/request_images.h"
#include "tools/serve/server/rerank_endpoint.h"
#include "tools/serve/server/serve_limits.h"

namespace lmc::tools {

namespace {

using nlohmann::json;

// The tokens a request generates at most: what it asks (max_tokens, n_predict), else the
// server's --n-predict, else OpenAI's completions default of 16 tokens, a chat answer and
// llama-server's n_predict -1 running to the end of text; never past the context's `room`.
// A request's own number wins over --n-predict, as llama-server's (its n_predict_max).
int64_t max_tokens_of(Shape shape, std::optional<int64_t> asked, int64_t n_predict, int64_t room) {
  const int64_t fallback = n_predict > 0 ? n_predict : shape == Shape::Completion ? 16 : room;
  return std::min(asked.value_or(fallback), room);
}

// The template's family of tool calls, its opening silent in answers when this model's
// vocabulary has it as one control token (generated, it writes no text).
ToolCallFormat tool_format_of(const models::ChatTemplate* chat, const models::Tokenizer& tok) {
  ToolCallFormat f = tool_call_format_for(chat ? chat->jinja_template() : nullptr);
  const std::optional<int32_t> id = f.open.empty() ? std::nullopt : tok.find(f.open);
  f.silent_open = id && !tok.is_text(*id);
  return f;
}

// A prompt past the context: llama-server's error, with its counts.
void check_context(int64_t n, int64_t context, bool chat) {
  if (n < context) return;
  ApiError e(400, "exceed_context_size_error",
             "the request exceeds the available context size: the prompt is " + std::to_string(n) +
                 " tokens; the context holds " + std::to_string(context),
             chat ? "messages" : "prompt");
  e.details = {{"n_prompt_tokens", n}, {"n_ctx", context}};
  throw e;
}

// The job of another of a request's prompts: the first's settings, its own prompt, images
// and room.
std::shared_ptr<Job> prompt_job(const Job& first, ImagePromptTokens prompt, Shape shape, int64_t context,
                                int64_t n_predict, std::optional<int64_t> asked) {
  auto job = std::make_shared<Job>();
  static_cast<JobRequest&>(*job) = first;
  const auto n = static_cast<int64_t>(prompt.tokens.size());
  job->prompt = std::move(prompt.tokens);
  job->images = std::move(prompt.images);
  job->generation.max_tokens = max_tokens_of(shape, asked, n_predict, context - n);
  return job;
}

// The text of a job's prompt, as llama-server's /completion answer gives it: its images'
// rows (placeholder ids) left out.
std::string prompt_text_of(const JobRequest& j, const models::Tokenizer& tok) {
  std::vector<int32_t> text;
  int64_t from = 0;
  for (const runtime::PromptEmbeddings& span : j.images.spans) {
    text.insert(text.end(), j.prompt.begin() + from, j.prompt.begin() + span.at);
    from = span.at + span.rows;
  }
  text.insert(text.end(), j.prompt.begin() + from, j.prompt.end());
  return tok.decode(text);
}

// llama-server's with_pieces: each token's text, or its bytes when they are not UTF-8 alone
// (a piece of a character).
json token_pieces(const std::vector<int32_t>& ids, const models::Tokenizer& tok) {
  json out = json::array();
  for (int32_t id : ids) {
    const std::string text = tok.token_text(id);
    json piece = text;
    try {
      piece.dump();
    } catch (const json::type_error&) {
      piece = std::vector<uint8_t>(text.begin(), text.end());
    }
    out.push_back({{"id", id}, {"piece", piece}});
  }
  return out;
}

}  // namespace

HttpApiServer::HttpApiServer(const driver::LoadedModel& m, ServeBackends backends, ServeOptions opts,
                             std::span<const DialectRoutes> dialects)
    : m_(m),
      engine_(backends.generate),
      embedder_(backends.embed),
      chat_(backends.chat),
      images_(backends.images),
      opts_(std::move(opts)),
      tool_format_(tool_format_of(chat_, *m_.tokenizer)),
      template_caps_(chat_template_caps(chat_)),
      http_(
          limits_of(opts_),
          [this](const http::Request& req, const std::shared_ptr<http::Exchange>& ex) { dispatch(req, ex); },
          [](int status, const std::string& message) {
            return std::pair<std::string, std::string>("application/json",
                                                       dump(error_body(status, status_type(status), message)));
          },
          [this](const std::string& path, int status) { count(path, status); }, log_refusal),
      tools_(ToolsEndpoint::make(opts_)),
      proxy_(opts_.cors_proxy ? std::make_unique<CorsProxyEndpoint>() : nullptr) {
  check_server_template_kwargs(opts_.template_kwargs);  // a bad one fails before the server binds
  routes(dialects);
}

int HttpApiServer::bind() { return http_.bind(opts_.hosts, opts_.port); }

// Two threads carry every connection's reads and writes; handlers only parse and queue.
void HttpApiServer::listen() { http_.run(2); }

void HttpApiServer::shutdown() {
  draining_ = true;
  if (engine_) engine_->drain();
  if (tools_) tools_->stop();
  if (proxy_) proxy_->stop();
  http_.stop(opts_.body_timeout);
}

void HttpApiServer::count(const std::string& path, int status) {
  // Paths are the client's text: only the endpoints get their own series.
  const bool endpoint =
      std::any_of(routes_.begin(), routes_.end(), [&](const auto& r) { return r.first.second == path; });
  requests_.count(endpoint ? path : "other", status);
}

void HttpApiServer::wake() { last_active_ = std::chrono::steady_clock::now().time_since_epoch().count(); }

bool HttpApiServer::sleeping() const {
  if (opts_.sleep_idle.count() <= 0) return false;
  if (engine_) {
    const EngineCounters c = engine_->counters();
    if (c.running > 0 || c.queued > 0) return false;
  }
  const std::chrono::steady_clock::duration idle =
      std::chrono::steady_clock::now().time_since_epoch() - std::chrono::steady_clock::duration(last_active_.load());
  return idle >= opts_.sleep_idle;
}

void HttpApiServer::log_request(const std::string& request, int status, std::chrono::steady_clock::time_point t0,
                                const JobResult* r) {
  if (r) wake();
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  // The path is the client's: escaped, so that it cannot move the terminal's cursor.
  std::string line =
      "lmc: " + excerpt(request, 200) + " " + std::to_string(status) + " " + std::to_string(std::lround(ms)) + " ms";
  if (r)
    line += ", prompt " + std::to_string(r->prompt_tokens) + " tokens (" + std::to_string(r->cached_tokens) +
            " cached), " + std::to_string(r->completion_tokens) + " generated, " + r->finish_reason;
  std::fprintf(stderr, "%s\n", line.c_str());
}

void HttpApiServer::dispatch(const http::Request& req, const std::shared_ptr<http::Exchange>& ex) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string request = req.method + " " + req.path.substr(0, 200);
  try {
    // A browser's preflight carries no key (the request it clears will).
    if (req.method == "OPTIONS") return ex->reply(200, "text/plain", "", preflight_headers({opts_.cors_origins}, req));
    // The page at / carries no model data; it asks the user for the key its API calls need.
    const bool open_path = req.path == "/health" || (opts_.webui && req.method == "GET" && req.path == "/");
    const bool key = authorized(opts_.api_keys, req.header("authorization")) ||
                     (!req.header("x-api-key").empty() && authorized(opts_.api_keys, req.header("x-api-key"), ""));
    if (!opts_.api_keys.empty() && !open_path && !key)
      throw ApiError(401, "authentication_error",
                     "a valid API key is required (Authorization: Bearer KEY, or X-Api-Key: KEY)");
    // Reading the server's state leaves it asleep, as llama-server's.
    static const std::set<std::string> kReadOnly = {"/health", "/props", "/models", "/v1/models", "/metrics", "/slots"};
    if (!kReadOnly.count(req.path)) wake();
    auto route = routes_.find({req.method, req.path});
    if (route == routes_.end())
      throw ApiError(404, "not_found_error", "no endpoint " + req.method + " " + req.path.substr(0, 200));
    route->second(req, ex);
    if (!(req.method == "POST" && generations_.count(req.path))) log_request(request, 200, t0);
  } catch (const ApiError& e) {
    send_json(*ex, e.status, error_body(e), retry_after(e.retry_after));
    log_request(request, e.status, t0);
  } catch (const std::exception&) {
    send_json(*ex, 500, error_body(500, "server_error", "internal error"));
    log_request(request, 500, t0);
  }
}

void HttpApiServer::routes(std::span<const DialectRoutes> dialects) {
  using Ex = std::shared_ptr<http::Exchange>;
  routes_[{"GET", "/health"}] = [](const http::Request&, const Ex& ex) { send_json(*ex, 200, {{"status", "ok"}}); };
  if (opts_.webui && engine_)  // the page chats: an embeddings server has none
    routes_[{"GET", "/"}] = [](const http::Request&, const Ex& ex) {
      ex->reply(200, "text/html; charset=utf-8", std::string(chat_page_html()));
    };
  // OpenAI's /v1 routes; llama-server answers each without the prefix too.
  for (const char* path : {"/v1/models", "/models"})
    routes_[{"GET", path}] = [this](const http::Request&, const Ex& ex) {
      json model = {
          {"id", served_name()},      {"object", "model"},  {"created", now_seconds()},      {"owned_by", "lmc"},
          {"aliases", opts_.aliases}, {"tags", opts_.tags}, {"meta", models_meta(m_, opts_)}};
      send_json(*ex, 200, models_list(model, served_name(), opts_.vision));
    };
  routes_[{"GET", "/metrics"}] = [this](const http::Request&, const Ex& ex) {
    if (!opts_.metrics_endpoint)
      throw ApiError(501, "not_supported_error", "this server's /metrics is off (start it with --metrics)");
    // llama-server's header: when the process started, so that a scraper tells a restart.
    ex->reply(200, "text/plain; version=0.0.4", metrics(), {{"Process-Start-Time-Unix", std::to_string(started_)}});
  };
  // Generations answer later, from the engine's worker, through the exchange.
  add_generation("/v1/completions", Shape::Completion);
  add_generation("/v1/chat/completions", Shape::Chat);
  add_generation("/chat/completions", Shape::Chat);
  // llama-server's count of a chat's prompt tokens, before sending it.
  for (const char* path : {"/v1/chat/completions/input_tokens", "/chat/completions/input_tokens"})
    routes_[{"POST", path}] = [this](const http::Request& req, const Ex& ex) {
      send_json(*ex, 200, {{"input_tokens", chat_prompt_tokens(req.body)}});
    };
  add_generation("/completion", Shape::Llama);
  add_generation("/completions", Shape::Llama);  // llama-server's own, not OpenAI's shape
  add_generation("/infill", Shape::Llama,
                 [&tok = *m_.tokenizer, fim = find_fim_tokens(*m_.tokenizer)](const std::string& body) {
                   return infill_as_completion(body, fim, tok);
                 });
  // OpenAI's /v1/embeddings; llama-server's /embeddings and its legacy /embedding.
  for (const char* path : {"/v1/embeddings", "/embeddings", "/embedding"})
    routes_[{"POST", path}] = [this, openai = path[1] == 'v'](const http::Request& req, const Ex& ex) {
      if (draining_) throw ApiError(503, "server_overloaded", "the server is shutting down");
      send_json(*ex, 200, embeddings_answer(m_, embedder_, images_, req.body, openai, served_name()));
    };
  // llama-server's reranking, under each of its names; only a server started with --reranking ranks.
  for (const char* path : {"/rerank", "/reranking", "/v1/rerank", "/v1/reranking"})
    routes_[{"POST", path}] = [this](const http::Request& req, const Ex& ex) {
      if (draining_) throw ApiError(503, "server_overloaded", "the server is shutting down");
      send_json(*ex, 200, rerank_answer(m_, opts_.reranking ? embedder_ : nullptr, req.body, served_name()));
    };
  auto slots = [this] { return engine_ ? engine_->slots() : std::vector<SlotState>{}; };
  for (size_t i = 0; i < slots().size(); ++i)
    routes_[{"POST", "/slots/" + std::to_string(i)}] = [this, i](const http::Request& req, const Ex& ex) {
      send_json(*ex, 200, slot_action(*engine_, i, req.query, req.body, opts_.slot_save_path));
    };
  routes_[{"GET", "/props"}] = [this, slots](const http::Request&, const Ex& ex) {
    EngineCounters queue = engine_ ? engine_->counters() : EngineCounters{};
    json p = props(m_, opts_, served_name(), slots(), chat_, tool_format_, template_caps_, queue);
    p["is_sleeping"] = sleeping();
    send_json(*ex, 200, p);
  };
  // llama-server's array of slots, its shape kept; who waits for one in headers of lmc's own.
  routes_[{"GET", "/slots"}] = [this, slots](const http::Request&, const Ex& ex) {
    if (!opts_.slots_endpoint) throw ApiError(501, "not_supported_error", "this server's /slots is off (--no-slots)");
    EngineCounters c = engine_ ? engine_->counters() : EngineCounters{};
    send_json(*ex, 200, slots_json(slots(), m_.info.context),
              {{"X-Queue-Waiting", std::to_string(c.queued)}, {"X-Queue-Limit", std::to_string(c.queue_limit)}});
  };
  const models::Tokenizer& tok = *m_.tokenizer;
  routes_[{"POST", "/tokenize"}] = [&tok](const http::Request& req, const Ex& ex) {
    TokenizeRequest t = parse_tokenize(req.body);
    const std::vector<int32_t> ids = tok.encode(t.content, t.add_special && tok.wants_bos());
    send_json(*ex, 200, {{"tokens", t.with_pieces ? token_pieces(ids, tok) : json(ids)}});
  };
  // The body of a chat completion, rendered as the completion would read it (its forced
  // call's opening aside).
  routes_[{"POST", "/apply-template"}] = [this, &tok](const http::Request& req, const Ex& ex) {
    ServeRequest r = parse_request(req.body, true, kMostRequestTokens, static_cast<int64_t>(tok.size()), opts_.sampling,
                                   tool_format_);
    handle_ignored_fields(r.ignored_fields, opts_.strict_fields);
    add_server_template_kwargs(opts_.template_kwargs, r);
    send_json(*ex, 200, {{"prompt", rendered_chat(chat_, r, m_.info.name)}});
  };
  for (const char* method : {"GET", "POST"})
    routes_[{method, "/tools"}] = [this](const http::Request& req, const Ex& ex) {
      answer_tools_route(tools_.get(), req, ex);
    };
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"})
    routes_[{method, "/cors-proxy"}] = [this](const http::Request& req, const Ex& ex) {
      answer_cors_proxy_route(proxy_.get(), req, ex);
    };
  routes_[{"POST", "/detokenize"}] = [&tok](const http::Request& req, const Ex& ex) {
    send_json(*ex, 200, {{"content", tok.decode(parse_detokenize(req.body, static_cast<int64_t>(tok.size())))}});
  };
  for (DialectRoutes add : dialects) add(*this);
}

void HttpApiServer::add_route(const std::string& method, const std::string& path, Route route) {
  routes_[{method, path}] = std::move(route);
}

std::vector<std::string> HttpApiServer::post_paths() const {
  std::vector<std::string> posts;
  for (const auto& [route, _] : routes_)
    if (route.first == "POST") posts.push_back(route.second);
  return posts;
}

void HttpApiServer::add_generation(const std::string& path, Shape shape,
                                   std::function<std::string(const std::string&)> rewrite) {
  routes_[{"POST", path}] = [this, shape, rewrite](const http::Request& req,
                                                   const std::shared_ptr<http::Exchange>& ex) {
    if (!engine_)
      throw ApiError(501, "not_supported_error",
                     "this server computes embeddings and does not generate; start it "
                     "without --embeddings");
    if (!rewrite) return generate(req, ex, shape);
    http::Request as_sent = req;
    as_sent.body = rewrite(req.body);
    generate(as_sent, ex, shape);
  };
  generations_.insert(path);
}

void HttpApiServer::add_chat_generation(const std::string& path, std::function<std::string(const std::string&)> as_chat,
                                        ChatTranslation translate) {
  routes_[{"POST", path}] = [this, as_chat, translate](const http::Request& req,
                                                       const std::shared_ptr<http::Exchange>& ex) {
    if (!engine_) throw ApiError(501, "not_supported_error", "this server computes embeddings and does not generate");
    http::Request chat = req;
    chat.body = as_chat(req.body);
    generate(chat, translate(ex, chat.body), Shape::Chat);
  };
  generations_.insert(path);
}

int64_t HttpApiServer::chat_prompt_tokens(const std::string& body) const {
  const models::Tokenizer& tok = *m_.tokenizer;
  ServeRequest r =
      parse_request(body, true, m_.info.context, static_cast<int64_t>(tok.size()), opts_.sampling, tool_format_);
  add_server_template_kwargs(opts_.template_kwargs, r);
  const std::string text = chat_prompt(chat_, r, m_.info.name, tok.wants_bos());
  // An image counts its tokens, as the prompt it makes holds them.
  if (std::optional<ImagePromptTokens> with_images = chat_images(images_, r, tok, text, INT64_MAX))
    return static_cast<int64_t>(with_images->tokens.size());
  return static_cast<int64_t>(tok.encode(text, tok.wants_bos()).size());
}

void HttpApiServer::generate(const http::Request& req, const std::shared_ptr<http::Exchange>& ex, Shape shape) {
  const int64_t context = m_.info.context;
  const models::Tokenizer& tok = *m_.tokenizer;
  const auto vocab = static_cast<int64_t>(tok.size());
  const bool chat = shape == Shape::Chat;
  ServeRequest r = shape == Shape::Llama
                       ? parse_llama_completion(req.body, kMostRequestTokens, vocab, opts_.sampling)
                       : parse_request(req.body, chat, kMostRequestTokens, vocab, opts_.sampling, tool_format_);
  handle_ignored_fields(r.ignored_fields, opts_.strict_fields);
  if (chat) add_server_template_kwargs(opts_.template_kwargs, r);
  for (const std::string& note : left_out_notes(r.tools)) std::fprintf(stderr, "lmc: note: %s\n", note.c_str());
  if (draining_) throw ApiError(503, "server_overloaded", "the server is shutting down");
  if (const auto slots = static_cast<int64_t>(engine_->slots().size()); r.slot >= slots)
    throw ApiError(400, "invalid_request_error",
                   "'id_slot' is " + std::to_string(r.slot) + "; the server's slots are 0 to " +
                       std::to_string(slots - 1) + " (-1: any)",
                   "id_slot");
  auto job = std::make_shared<Job>();
  job->slot = r.slot;
  ReasoningRead reasoning;
  std::string prompt_text;  // a chat's, rendered (its __verbose)
  std::vector<ImagePromptTokens> prompts;  // each with its images, if any
  const int64_t step_rows = engine_->executor().info().step_tokens;
  if (!r.prompts.empty()) {
    for (const MixedPrompt& p : r.prompts) prompts.push_back(prompt_with_images(images_, p, tok, step_rows));
  } else if (r.prompt_tokens.empty()) {
    prompt_text = chat ? chat_prompt(chat_, r, m_.info.name, tok.wants_bos()) : r.prompt;
    if (chat) reasoning = {r.reasoning_format.value_or(opts_.reasoning_format), prompt_opens_reasoning(prompt_text)};
    std::optional<ImagePromptTokens> with_images = chat_images(images_, r, tok, prompt_text, step_rows);
    prompts.push_back(with_images ? std::move(*with_images)
                                  : ImagePromptTokens{tok.encode(prompt_text, tok.wants_bos()), {}});
  } else {
    prompts.push_back({r.prompt_tokens, {}});
  }
  for (const auto& p : prompts) check_context(static_cast<int64_t>(p.tokens.size()), context, chat);
  job->prompt = prompts[0].tokens;
  job->images = prompts[0].images;
  const auto n = static_cast<int64_t>(job->prompt.size());
  job->generation.max_tokens = max_tokens_of(shape, r.max_tokens, opts_.n_predict, context - n);
  job->generation.sampling = r.sampling;
  for (const auto& [text, bias] : r.logit_bias_texts)
    for (int32_t id : tok.encode(text, false)) job->generation.sampling.logit_bias.emplace_back(id, bias);
  // ignore_eos bans the end-of-generation tokens, as llama-server's (its generation_settings show them).
  if (r.ignore_eos)
    for (int32_t id = 0; id < static_cast<int32_t>(vocab); ++id)
      if (tok.is_eog(id)) job->generation.sampling.logit_bias.emplace_back(id, -INFINITY);
  check_some_token_allowed(job->generation.sampling.logit_bias, vocab);
  if (!r.seeded) job->generation.sampling.seed = opts_.seed ? *opts_.seed : std::random_device{}();
  job->stop = r.stop;
  job->reuse_prefix = r.cache_prompt;
  job->ignore_eos = r.ignore_eos;
  job->response_format = r.response_format;
  job->response_trigger = r.response_trigger;
  job->grammar = r.grammar;
  if (!job->grammar && !job->response_format && !r.tools.any() && !r.ignore_eos) job->grammar = opts_.grammar;
  Answer a{req.method + " " + req.path,
           std::chrono::steady_clock::now(),
           (chat ? "chatcmpl-" : "cmpl-") + std::to_string(next_id_++),
           shape,
           generation_params(job->generation, job->stop),
           nullptr,
           r.tools,
           reasoning,
           prompts.size() > 1,
           r.return_tokens,
           r.verbose || opts_.verbose_answers ? std::optional<std::string>(prompt_text) : std::nullopt,
           r.return_progress,
           r.timings_per_token,
           shape == Shape::Llama ? prompt_text_of(*job, tok) : ""};
  // Each choice's log-probabilities on their own tap.
  auto tap = [&r](Answer& answer, Job& j) {
    if (!r.top_logprobs) return;
    answer.logprobs = std::make_shared<LogprobsTap>();
    answer.logprobs->post_sampling = j.post_sampling = r.post_sampling_probs;
    answer.logprobs->text_offset = static_cast<int64_t>(r.prompt.size());
    j.top_logprobs = *r.top_logprobs;
    j.on_logprobs = [t = answer.logprobs](const runtime::StepLogprobs& lp) { t->pending.push_back(lp); };
  };
  tap(a, *job);
  if (r.stream) return respond_stream(ex, job, a, r.include_usage);
  std::vector<std::shared_ptr<Job>> jobs{job};
  std::vector<Answer> answers{a};
  for (int64_t i = 1; i < r.choices; ++i) {
    jobs.push_back(choice_job(*job, i));
    answers.push_back(a);
    tap(answers.back(), *jobs.back());
  }
  // llama-server's several prompts: a job each, as its own request would run.
  for (size_t i = 1; i < prompts.size(); ++i) {
    jobs.push_back(prompt_job(*job, std::move(prompts[i]), shape, context, opts_.n_predict, r.max_tokens));
    answers.push_back(a);
    if (shape == Shape::Llama) answers.back().prompt = prompt_text_of(*jobs.back(), tok);
    tap(answers.back(), *jobs.back());
  }
  respond_whole(ex, jobs, answers);
}

std::string HttpApiServer::metrics() {
  EngineCounters c = engine_ ? engine_->counters() : EngineCounters{};
  if (embedder_) {
    EmbeddingCounters e = embedder_->counters();
    c.prompt_tokens = e.prompt_tokens;
    c.busy_seconds = e.busy_seconds;
    c.steps = e.steps;
  }
  std::lock_guard lock(scrape_mu_);
  const EngineCounters since = std::exchange(last_scrape_, c);
  return metrics_text(c, requests_.counts(), since);
}

}  // namespace lmc::tools
