#include "tools/serve/engine/serve_engine.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <tuple>

#include "codegen/kernel_abi.h"
#include "driver/model_identity.h"
#include "runtime/kv_snapshot.h"
#include "structured/gbnf_token_constraint.h"
#include "structured/json_token_constraint.h"
#include "structured/triggered_json_constraint.h"
#include "support/error.h"
#include "tools/lmc/generation/constraint_vocabulary.h"
#include "tools/lmc/generation/generated_text.h"
#include "tools/lmc/generation/tokenizer_bounds.h"

namespace lmc::tools {

namespace {

// One logits row per running request (and a prompt's last row) in each step.
runtime::ExecutorOptions batched(runtime::ExecutorOptions opts) {
  opts.max_logit_rows = std::max(opts.max_logit_rows, opts.sequences);
  return opts;
}

// The result of a job that ended before it generated anything.
JobResult ended_before_start(const char* reason, const Job& job, std::string error = "") {
  JobResult r;
  r.finish_reason = reason;
  r.prompt_tokens = static_cast<int64_t>(job.prompt.size());
  r.error = std::move(error);
  return r;
}

}  // namespace

// A running job's text side: what its tokens have released so far.
struct ServeEngine::Stream {
  std::shared_ptr<Job> job;
  GeneratedText text;
  std::atomic<int64_t> completion_tokens = 0;  // read by slots() while the worker counts
  bool client_left = false;
  size_t slot = 0;

  Stream(std::shared_ptr<Job> j, const models::Tokenizer& tok) : job(std::move(j)), text(tok, job->stop) {}

  std::vector<int32_t> unsent;  // tokens whose text is not out yet
  std::atomic<int64_t> cached = 0;  // prompt rows the slot's cache or shared pages held
  std::chrono::steady_clock::time_point started, first_token;

  // Sends `piece` (with the tokens that made it); false when the client is gone.
  bool send(const std::string& piece) {
    const auto now = std::chrono::steady_clock::now();
    job->progress = {std::move(unsent),
                     completion_tokens,
                     static_cast<int64_t>(job->prompt.size()),
                     cached,
                     std::chrono::duration<double>(first_token - started).count(),
                     std::chrono::duration<double>(now - first_token).count()};
    unsent.clear();
    return job->on_text(piece);
  }

  void prompt_progress(int64_t from_cache, int64_t read, double seconds) {
    if (read == 0) started = std::chrono::steady_clock::now();
    cached = from_cache;
    if (job->on_prompt_progress)
      job->on_prompt_progress({static_cast<int64_t>(job->prompt.size()), from_cache, read, seconds});
  }

  // The slot's job as /slots shows it.
  SlotState state() const {
    SlotState s;
    s.has_job = true;
    s.prompt_tokens = static_cast<int64_t>(job->prompt.size());
    s.decoded_tokens = completion_tokens;
    s.cached_tokens = cached;
    s.generation = job->generation;
    return s;
  }

  bool on_token(int32_t id) {
    if (completion_tokens == 0) first_token = std::chrono::steady_clock::now();
    ++completion_tokens;
    unsent.push_back(id);
    std::string piece = text.push(id);
    if (job->cancelled || (!piece.empty() && !send(piece))) {
      client_left = true;
      return false;
    }
    return !text.stopped();
  }
};

ServeEngine::ServeEngine(const driver::LoadedModel& m, runtime::ExecutorOptions opts, QueueBounds queue)
    : m_(m),
      ex_(*m.graph, m.kernels, *m.weights, m.info, batched(opts)),
      batch_(ex_),
      bounds_(queue),
      in_slot_(static_cast<size_t>(opts.sequences)),
      last_in_slot_(static_cast<size_t>(opts.sequences)),
      slot_pages_(static_cast<size_t>(opts.sequences)),
      worker_([this] { work(); }) {}

ServeEngine::~ServeEngine() {
  drain();  // also marks the engine stopping, and wakes the worker to end
  worker_.join();
}

bool ServeEngine::submit(std::shared_ptr<Job> job) {
  Ended ended;
  bool queued = false;
  {
    std::lock_guard lock(mu_);
    take_ended(ended);
    // Jobs the worker will start at its next step (slots are free for them) do not wait.
    const auto free_slots = static_cast<size_t>(std::count(in_slot_.begin(), in_slot_.end(), nullptr));
    if (!stopping_ && queue_.size() < bounds_.limit + free_slots) {
      job->queued_at = std::chrono::steady_clock::now();
      queue_.push_back(std::move(job));
      queued = true;
    }
    counters_.queued = static_cast<int64_t>(queue_.size());
  }
  for (auto& [j, r] : ended) j->on_done(r);
  if (queued) wake_.notify_one();
  return queued;
}

void ServeEngine::cancel(const std::shared_ptr<Job>& job) {
  job->cancelled = true;
  Ended ended;
  {
    std::lock_guard lock(mu_);
    take_ended(ended);
  }
  for (auto& [j, r] : ended) j->on_done(r);
  wake_.notify_one();  // a running one: the worker drops it before its next step
}

void ServeEngine::between_steps(std::function<void()> task) {
  std::future<void> done;
  {
    std::lock_guard lock(mu_);
    if (stopping_) throw Error("the server is shutting down");
    done = tasks_.emplace_back(std::move(task)).get_future();
  }
  wake_.notify_one();
  done.get();
}

int64_t ServeEngine::erase_slot(size_t slot) {
  int64_t erased = 0;
  between_steps([&] { erased = batch_.forget(slot); });
  return erased;
}

uint64_t ServeEngine::snapshot_identity() {
  if (!snapshot_identity_)
    snapshot_identity_ = runtime::kv_snapshot_identity(driver::model_identity(m_), ex_.kv_cache().layout());
  return snapshot_identity_;
}

SlotFile ServeEngine::save_slot(size_t slot, const std::string& path) {
  SlotFile f;
  between_steps([&] {
    const std::vector<int32_t>& tokens = batch_.held(slot);
    if (tokens.empty()) throw Error("slot " + std::to_string(slot) + " holds no tokens to save");
    const uint64_t identity = snapshot_identity();
    const auto t0 = std::chrono::steady_clock::now();
    const auto n = static_cast<int64_t>(tokens.size());
    f.bytes = runtime::write_kv_snapshot(path, identity, tokens,
                                         ex_.kv_cache().sequence_bytes(static_cast<int64_t>(slot), n));
    f.tokens = n;
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  });
  return f;
}

SlotFile ServeEngine::restore_slot(size_t slot, const std::string& path) {
  SlotFile f;
  between_steps([&] {
    batch_.held(slot);  // a free slot
    const runtime::KvSnapshotExpect expect{snapshot_identity(), m_.info.context,
                                           static_cast<int64_t>(m_.tokenizer->size())};
    const auto t0 = std::chrono::steady_clock::now();
    // The slot forgets what it holds only once the file's header is good: its rows go next.
    runtime::KvSnapshotRead read =
        runtime::read_kv_snapshot(path, expect, [&](int64_t n) { return batch_.restore_bytes(slot, n); });
    f.tokens = static_cast<int64_t>(read.tokens.size());
    f.bytes = read.bytes;
    batch_.hold(slot, std::move(read.tokens));
    f.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  });
  return f;
}

void ServeEngine::drain() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  // The worker may sleep with a count of running jobs that is stale: a job cancelled between
  // steps leaves its slot without a step after it. Woken, it counts again and says when idle.
  wake_.notify_all();
  idle_.wait(lock, [this] { return queue_.empty() && counters_.running == 0; });
}

EngineCounters ServeEngine::counters() const {
  std::lock_guard lock(mu_);
  EngineCounters c = counters_;
  c.queue_limit = static_cast<int64_t>(bounds_.limit);
  c.queue_timeout_seconds = std::chrono::duration<double>(bounds_.timeout).count();
  if (!queue_.empty())
    c.oldest_wait_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - queue_.front()->queued_at).count();
  return c;
}

std::vector<SlotState> ServeEngine::slots() const {
  std::lock_guard lock(mu_);
  std::vector<SlotState> out;
  for (size_t i = 0; i < in_slot_.size(); ++i) {
    SlotState s = in_slot_[i] ? in_slot_[i]->state() : last_in_slot_[i];
    s.id = static_cast<int64_t>(i);
    std::tie(s.kv_pages, s.kv_pages_shared) = slot_pages_[i];
    s.is_processing = in_slot_[i] != nullptr;
    out.push_back(s);
  }
  return out;
}

void ServeEngine::work() {
  while (true) {
    drop_cancelled();
    Ended ended;
    std::vector<std::packaged_task<void()>> tasks;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty() || !tasks_.empty() || batch_.active() > 0; });
      if (!vocabulary_ && wants_vocabulary()) {
        // Built once, for the first JSON answer, without holding up submit() meanwhile.
        lock.unlock();
        vocabulary_ = constraint_vocabulary(*m_.tokenizer);
        lock.lock();
      }
      admit(ended);
      tasks.swap(tasks_);
      note_pages();
      counters_.running = batch_.active();
      if (batch_.active() == 0) {
        if (queue_.empty()) idle_.notify_all();
        if (stopping_ && queue_.empty()) {
          lock.unlock();
          for (auto& task : tasks) task();
          for (auto& [j, r] : ended) j->on_done(r);
          return;
        }
      }
    }
    for (auto& task : tasks) task();
    for (auto& [j, r] : ended) j->on_done(r);
    if (batch_.active() == 0) continue;
    auto t0 = std::chrono::steady_clock::now();
    const int64_t busy = batch_.active();
    try {
      batch_.step();
    } catch (const Error&) {
      // Each running job has had its on_done with the error; the slots are free.
    }
    std::lock_guard lock(mu_);
    counters_.busy_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++counters_.steps;
    counters_.busy_slot_steps += busy;
    counters_.running = batch_.active();
    note_pages();
    if (queue_.empty() && batch_.active() == 0) idle_.notify_all();
  }
}

void ServeEngine::note_pages() {
  const runtime::BatchGenerator::PageCounts pages = batch_.page_counts();
  counters_.kv_pages = pages.pages;
  counters_.kv_pages_used = pages.used;
  counters_.kv_pages_prefix_tree = pages.prefix_tree;
  counters_.kv_window_pages_used = pages.window_used;
  counters_.kv_position_bytes = static_cast<int64_t>(pages.page_bytes / kKvPageRows);
  counters_.kv_window_position_bytes = static_cast<int64_t>(pages.window_page_bytes / kKvPageRows);
  counters_.kv_window = pages.window;
  const auto bytes = [&](int64_t pages_held, int64_t window_pages_held) {
    return static_cast<int64_t>(static_cast<uint64_t>(pages_held) * pages.page_bytes +
                                static_cast<uint64_t>(window_pages_held) * pages.window_page_bytes);
  };
  counters_.kv_bytes_used = bytes(pages.used, pages.window_used);
  counters_.kv_bytes_running = bytes(pages.running, pages.window_running);
  for (size_t i = 0; i < slot_pages_.size(); ++i) slot_pages_[i] = batch_.slot_pages(i);
}

void ServeEngine::take_ended(Ended& ended) {
  const auto now = std::chrono::steady_clock::now();
  auto end = [&](const std::shared_ptr<Job>& job) {
    if (job->cancelled) {
      ended.emplace_back(job, ended_before_start("cancelled", *job));
      ++counters_.cancelled;
      return true;
    }
    if (now - job->queued_at < bounds_.timeout) return false;
    ended.emplace_back(job, ended_before_start("queue_timeout", *job));
    ++counters_.queue_timeouts;
    return true;
  };
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(), end), queue_.end());
  counters_.queued = static_cast<int64_t>(queue_.size());
}

void ServeEngine::admit(Ended& ended) {
  take_ended(ended);
  for (auto it = queue_.begin(); it != queue_.end() && batch_.has_free_slot();) {
    // A prompt the running sequences leave too few KV pages for waits, and the jobs behind it.
    if (batch_.waits_for_pages((*it)->prompt)) break;
    // A job for a busy slot waits for it, as llama-server defers it; the jobs behind it go by.
    const auto slot = static_cast<size_t>((*it)->slot);  // past the slots: add() says so
    if ((*it)->slot >= 0 && slot < in_slot_.size() && in_slot_[slot]) {
      ++it;
      continue;
    }
    std::shared_ptr<Job> job = std::move(*it);
    it = queue_.erase(it);
    start(std::move(job));
  }
  counters_.queued = static_cast<int64_t>(queue_.size());
}

void ServeEngine::drop_cancelled() {
  std::vector<size_t> gone;
  {
    std::lock_guard lock(mu_);
    for (size_t i = 0; i < in_slot_.size(); ++i)
      if (in_slot_[i] && in_slot_[i]->job->cancelled) gone.push_back(i);
  }
  for (size_t slot : gone) batch_.cancel(slot);
}

void ServeEngine::start(std::shared_ptr<Job> job) {
  const models::Tokenizer& tok = *m_.tokenizer;
  auto stream = std::make_shared<Stream>(job, tok);
  runtime::BatchJob b{
      job->prompt, job->generation, [stream](int32_t id) { return stream->on_token(id); },
      [this, stream](const runtime::GenerationStats& st, const std::string& error) { finish(*stream, st, error); }};
  bound_by_tokenizer(b.opts, tok);
  b.reuse_prefix = job->reuse_prefix;
  b.slot = job->slot;
  b.top_logprobs = job->top_logprobs;
  b.post_sampling = job->post_sampling;
  b.images = job->images;
  if (job->top_logprobs >= 0) b.on_logprobs = job->on_logprobs;
  b.on_prompt_progress = [stream](int64_t cached, int64_t read, double seconds) {
    stream->prompt_progress(cached, read, seconds);
  };
  if (job->ignore_eos) b.opts.is_eog = nullptr;
  if (job->response_format && job->response_trigger.any())
    b.constraint = std::make_unique<structured::TriggeredJsonConstraint>(job->response_trigger, job->response_format,
                                                                         vocabulary_, b.opts.max_tokens);
  else if (job->response_format)
    b.constraint =
        std::make_unique<structured::JsonTokenConstraint>(job->response_format, vocabulary_, b.opts.max_tokens);
  else if (job->grammar)
    b.constraint = std::make_unique<structured::GbnfTokenConstraint>(job->grammar, vocabulary_);
  try {
    stream->slot = batch_.add(std::move(b));
    in_slot_[stream->slot] = stream;
  } catch (const Error& e) {
    job->on_done(ended_before_start("error", *job, e.what()));
  }
}

bool ServeEngine::wants_vocabulary() const {
  return std::any_of(queue_.begin(), queue_.end(),
                     [](const auto& job) { return job->response_format != nullptr || job->grammar != nullptr; });
}

// Called from the worker inside a step (mu_ is not held then).
void ServeEngine::finish(Stream& s, const runtime::GenerationStats& stats, const std::string& error) {
  JobResult result{"",
                   stats.prompt_tokens,
                   s.completion_tokens,
                   stats.cached_tokens,
                   error,
                   stats.prefill_seconds,
                   stats.decode_seconds,
                   stats.decode_tokens,
                   s.text.stopping_word(),
                   static_cast<int64_t>(s.slot)};
  result.held_tokens = stats.end_pos;
  {
    std::lock_guard lock(mu_);
    last_in_slot_[s.slot] = s.state();
    in_slot_[s.slot] = nullptr;
    // Before the answer goes out, so that a client's next /metrics or /slots does not count
    // it as still running (the count is set again from the batch after the step).
    counters_.running = std::max<int64_t>(counters_.running - 1, 0);
  }
  if (s.job->cancelled) s.client_left = true;  // dropped before its next token: nothing more to send
  if (stats.constraint_stuck)
    std::fprintf(stderr,
                 "lmc: warning: slot %lld: no token could continue the constrained output; the answer ends "
                 "there (finish_reason length): please report this schema\n",
                 static_cast<long long>(s.slot));
  if (!error.empty()) {
    result.finish_reason = "error";
  } else {
    if (!s.client_left) {
      std::string rest = s.text.finish();
      if (!rest.empty()) s.client_left = !s.send(rest);
    }
    result.finish_reason = s.client_left ? "cancelled" : s.text.finish_reason(stats.hit_eog);
    std::lock_guard lock(mu_);
    counters_.prompt_tokens += result.prompt_tokens;
    counters_.cached_tokens += result.cached_tokens;
    counters_.generated_tokens += result.completion_tokens;
    counters_.jobs_done += 1;
    counters_.longest_sequence = std::max(counters_.longest_sequence, result.prompt_tokens + result.completion_tokens);
    if (s.client_left) ++counters_.cancelled;
    counters_.last_decode_tokens_per_second = stats.decode_tokens_per_second();
    counters_.prompt_seconds += stats.prefill_seconds;
    counters_.decode_seconds += stats.decode_seconds;
  }
  s.job->on_done(result);
}

}  // namespace lmc::tools
