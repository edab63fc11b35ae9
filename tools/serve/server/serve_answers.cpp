// How a generation's answer goes back to its client (tools/serve/server/http_api_server.h): whole,
// one choice per job once the last ends; or streamed, as OpenAI's chunks or llama-server's
// events; its jobs cancelled the moment the client leaves.
#include <nlohmann/json.hpp>

#include "tools/serve/answer/answer_json.h"
#include "tools/serve/answer/api_errors.h"
#include "tools/serve/llama/llama_endpoints.h"
#include "tools/serve/server/http_api_server.h"

namespace lmc::tools {

using nlohmann::json;

void HttpApiServer::respond_whole(const std::shared_ptr<http::Exchange>& ex,
                                  const std::vector<std::shared_ptr<Job>>& jobs, const std::vector<Answer>& as) {
  auto results = std::make_shared<ChoiceResults>(jobs.size());
  for (size_t i = 0; i < jobs.size(); ++i) {
    jobs[i]->on_text = [results, i, j = jobs[i].get()](const std::string& piece) {
      results->append(i, piece, j->progress.tokens);
      return true;
    };
    jobs[i]->on_done = [this, ex, results, as, i](const JobResult& r) {
      const bool waited = r.finish_reason == "queue_timeout";
      log_request(as[i].request, waited ? 503 : r.finish_reason == "error" ? 500 : 200, as[i].t0, &r);
      if (results->end(i, r)) answer_whole(*ex, *results, as);
    };
  }
  for (const auto& job : jobs)
    if (!engine_->submit(job)) {
      for (const auto& j : jobs) engine_->cancel(j);
      throw queue_full_error(engine_->counters());
    }
  watch_client(ex, jobs);
}

void HttpApiServer::answer_whole(http::Exchange& ex, const ChoiceResults& c, const std::vector<Answer>& as) {
  if (const JobResult* failed = c.failed()) {
    if (failed->finish_reason == "error") return send_json(ex, 500, error_body(500, "server_error", failed->error));
    ApiError e = queue_timeout_error(engine_->counters());
    return send_json(ex, e.status, error_body(e), retry_after(e.retry_after));
  }
  const Answer& a = as.front();
  if (a.shape == Shape::Llama) {
    json answers = json::array();
    for (size_t i = 0; i < c.size(); ++i) {
      json answer = completion_answer(c.text(i), as[i].prompt, c.result(i), served_name(), a.settings);
      answer["index"] = i;
      if (a.return_tokens) answer["tokens"] = c.tokens(i);
      add_logprobs(answer, as[i]);
      answers.push_back(answer);
    }
    return send_json(ex, 200, a.several ? answers : answers[0]);
  }
  const bool chat = a.shape == Shape::Chat;
  json choices = json::array();
  for (size_t i = 0; i < c.size(); ++i) {
    const std::string call_id = "call_" + a.id + (i ? "_" + std::to_string(i) : "");
    json choice = whole_choice(chat, i, c.text(i), c.result(i), a.tools, a.reasoning, call_id);
    add_logprobs(choice, as[i]);
    choices.push_back(choice);
  }
  json body = {{"id", a.id},
               {"object", chat ? "chat.completion" : "text_completion"},
               {"created", now_seconds()},
               {"model", served_name()},
               {"system_fingerprint", build_fingerprint()},
               {"choices", choices},
               {"usage", usage(c.total())},
               {"timings", timings(c.result(0))}};
  if (a.verbose_prompt) body["__verbose"] = {{"prompt", *a.verbose_prompt}, {"content", c.text(0)}};
  send_json(ex, 200, body);
}

// The last chunk carries the usage; with stream_options.include_usage, as OpenAI sends it,
// one more chunk without choices does.
void HttpApiServer::respond_stream(const std::shared_ptr<http::Exchange>& ex, const std::shared_ptr<Job>& job,
                                   const Answer& a, bool include_usage) {
  if (a.shape == Shape::Llama) return respond_llama_stream(ex, job, a);
  const std::string& id = a.id;
  const bool chat = a.shape == Shape::Chat;
  auto gate = std::make_shared<StreamGate>();
  gate->ex = ex;
  json head = {{"id", id},
               {"object", chat ? "chat.completion.chunk" : "text_completion"},
               {"created", now_seconds()},
               {"model", served_name()},
               {"system_fingerprint", build_fingerprint()}};
  auto chunk = [head](const json& choice) {
    json c = head;
    c["choices"] = json::array({choice});
    return c;
  };
  // A failed write (the client left) ends the job at its next token.
  auto deltas = chat ? std::make_shared<ChatDeltas>(a.tools, "call_" + id, a.reasoning) : nullptr;
  json opening = {{"role", "assistant"}, {"content", json()}};  // llama-server's, as OpenAI's before calls
  if (chat) gate->write(sse(chunk({{"index", 0}, {"delta", opening}, {"finish_reason", json()}})));
  // A piece's deltas, its pending log-probabilities with the last one (or the next piece's).
  auto send = [this, gate, chunk, a, j = job.get()](const std::vector<json>& ds) {
    bool there = true;
    for (size_t i = 0; i < ds.size(); ++i) {
      json choice = {{"index", 0}, {"delta", ds[i]}, {"finish_reason", json()}};
      if (i + 1 == ds.size()) add_logprobs(choice, a);
      json c = chunk(choice);
      if (a.timings_per_token && i + 1 == ds.size()) c["timings"] = timings(j->progress);
      there = gate->write(sse(c));
    }
    return there;
  };
  if (a.return_progress)
    job->on_prompt_progress = [gate, chunk, chat, a, opening](const PromptProgress& p) {
      json c = chunk(chat ? json{{"index", 0}, {"delta", opening}, {"finish_reason", json()}}
                          : choice_chunk(false, "", json()));
      c["prompt_progress"] = prompt_progress(p);
      if (a.timings_per_token) c["timings"] = timings(p);
      gate->write(sse(c));
    };
  job->on_text = [this, gate, chunk, chat, a, deltas, send, j = job.get()](const std::string& piece) {
    if (deltas) return send(deltas->piece(piece));
    json choice = choice_chunk(chat, piece, json());
    add_logprobs(choice, a);
    json c = chunk(choice);
    if (a.timings_per_token) c["timings"] = timings(j->progress);
    return gate->write(sse(c));
  };
  job->on_done = [this, gate, chunk, chat, include_usage, head, a, deltas, send](const JobResult& r) {
    log_request(a.request, r.finish_reason == "error" ? 500 : 200, a.t0, &r);
    if (r.finish_reason == "error" || r.finish_reason == "queue_timeout") {
      gate->write(sse(job_failure_body(r, engine_->counters())) + "data: [DONE]\n\n", true);
      return;
    }
    std::string finish = r.finish_reason;
    if (deltas) send(deltas->end(finish));
    json choice = choice_chunk(chat, "", finish);
    add_logprobs(choice, a);
    json last = chunk(choice);
    last["usage"] = usage(r);
    last["timings"] = timings(r);
    std::string tail = sse(last);
    if (include_usage) {
      json totals = head;
      totals["choices"] = json::array();
      totals["usage"] = usage(r);
      totals["timings"] = timings(r);
      tail += sse(totals);
    }
    gate->write(tail + "data: [DONE]\n\n", true);
  };
  submit(job, gate);
}

void HttpApiServer::respond_llama_stream(const std::shared_ptr<http::Exchange>& ex, const std::shared_ptr<Job>& job,
                                         const Answer& a) {
  auto gate = std::make_shared<StreamGate>();
  gate->ex = ex;
  if (a.return_progress)
    job->on_prompt_progress = [gate, a](const PromptProgress& p) {
      json event = completion_piece("", -1, {});
      event["prompt_progress"] = prompt_progress(p);
      if (a.timings_per_token) event["timings"] = timings(p);
      gate->write(sse(event));
    };
  job->on_text = [this, gate, a, j = job.get()](const std::string& piece) {
    json event = completion_piece(piece, -1, j->progress);
    if (a.timings_per_token) event["timings"] = timings(j->progress);
    add_logprobs(event, a);
    return gate->write(sse(event));
  };
  job->on_done = [this, gate, a](const JobResult& r) {
    log_request(a.request, r.finish_reason == "error" ? 500 : 200, a.t0, &r);
    const bool failed = r.finish_reason == "error" || r.finish_reason == "queue_timeout";
    json last = failed ? job_failure_body(r, engine_->counters())
                       : completion_answer("", a.prompt, r, served_name(), a.settings);
    if (!failed) add_logprobs(last, a);
    gate->write(sse(last), true);
  };
  submit(job, gate);
}

void HttpApiServer::submit(const std::shared_ptr<Job>& job, const std::shared_ptr<StreamGate>& gate) {
  if (!engine_->submit(job)) throw queue_full_error(engine_->counters());
  // The client found gone by a failed write (a keep-alive comment while it waits) ends it too.
  gate->start([this, job](bool complete) {
    if (!complete) engine_->cancel(job);
  });
  watch_client(gate->ex, {job});
}

void HttpApiServer::watch_client(const std::shared_ptr<http::Exchange>& ex,
                                 const std::vector<std::shared_ptr<Job>>& jobs) {
  // Weak: the exchange outlives the jobs in no one's hands but this callback's.
  std::vector<std::weak_ptr<Job>> weak(jobs.begin(), jobs.end());
  ex->on_gone([this, weak] {
    for (const auto& w : weak)
      if (auto j = w.lock()) engine_->cancel(j);
  });
}

void HttpApiServer::add_logprobs(json& into, const Answer& a) const {
  if (!a.logprobs) return;
  into[a.shape == Shape::Llama ? "completion_probabilities" : "logprobs"] = a.logprobs->take(a.shape, *m_.tokenizer);
}

}  // namespace lmc::tools
