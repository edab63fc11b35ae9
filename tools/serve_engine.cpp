#include "tools/serve_engine.h"

#include "ir/error.h"
#include "models/tokenizer_stream_decoder.h"
#include "tools/stop_strings.h"

namespace lmc::tools {

ServeEngine::ServeEngine(const driver::LoadedModel& m, runtime::ExecutorOptions opts, size_t queue_limit)
    : m_(m), ex_(*m.graph, m.kernels, *m.weights, m.info, opts), queue_limit_(queue_limit),
      worker_([this] { work(); }) {}

ServeEngine::~ServeEngine() {
  drain();  // also marks the engine stopping
  wake_.notify_all();
  worker_.join();
}

bool ServeEngine::submit(std::shared_ptr<Job> job) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= queue_limit_) return false;
    queue_.push_back(std::move(job));
    counters_.queued = static_cast<int64_t>(queue_.size());
  }
  wake_.notify_one();
  return true;
}

void ServeEngine::drain() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  idle_.wait(lock, [this] { return queue_.empty() && counters_.running == 0; });
}

EngineCounters ServeEngine::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

void ServeEngine::work() {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) {
        idle_.notify_all();
        if (stopping_) return;
        continue;
      }
      job = std::move(queue_.front());
      queue_.pop_front();
      counters_.queued = static_cast<int64_t>(queue_.size());
      counters_.running = 1;
    }
    run(*job);
    std::lock_guard lock(mu_);
    counters_.running = 0;
    if (queue_.empty()) idle_.notify_all();
  }
}

void ServeEngine::run(Job& job) {
  JobResult result;
  result.prompt_tokens = static_cast<int64_t>(job.prompt.size());
  if (job.cancelled) {
    job.on_done({"cancelled", result.prompt_tokens, 0, ""});
    return;
  }
  const models::Tokenizer& tok = *m_.tokenizer;
  models::StreamDecoder decoder(tok);
  StopStrings stop(job.stop);
  bool client_left = false;
  auto gen = job.generation;
  gen.is_eog = [&](int32_t id) { return tok.is_eog(id); };
  try {
    ex_.reset();
    auto stats = runtime::generate(ex_, job.prompt, gen, [&](int32_t id) {
      ++result.completion_tokens;
      std::string text = stop.push(decoder.push(id));
      if (job.cancelled || (!text.empty() && !job.on_text(text))) {
        client_left = true;
        return false;
      }
      return !stop.stopped();
    });
    if (!client_left) {
      std::string rest = stop.push(decoder.flush()) + stop.flush();
      if (!rest.empty()) client_left = !job.on_text(rest);
    }
    result.finish_reason = client_left ? "cancelled" : (stats.hit_eog || stop.stopped()) ? "stop" : "length";
    std::lock_guard lock(mu_);
    counters_.prompt_tokens += result.prompt_tokens;
    counters_.generated_tokens += result.completion_tokens;
    counters_.jobs_done += 1;
    counters_.last_decode_tokens_per_second = stats.decode_tokens_per_second();
  } catch (const Error& e) {
    result.finish_reason = "error";
    result.error = e.what();
  }
  job.on_done(result);
}

}  // namespace lmc::tools
