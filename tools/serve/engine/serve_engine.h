// The generation side of `lmc serve`: one worker thread runs up to `parallel` requests at
// once on the model's executor with continuous batching (runtime/batch_generator.h: one
// decode row per running request and a prefill chunk of a new one share each step), each
// in its own KV-cache slot; requests start in arrival order as slots free up (one naming a
// busy slot, Job::slot, waits for it while those behind it go by). A request
// that finds every slot busy waits, as llama-server's do, in a queue bounded in length
// (`QueueBounds::limit`: one past it is refused at once, the server answers 503) and in
// time (`timeout`: one that waited that long ends with "queue_timeout"). Text streams out
// through each job's callback as the stream decoder and the stop strings release it. A
// job whose client went away (cancel(), told by the HTTP side the moment the connection
// closes; or a callback returning false) leaves the queue at once, and a running one
// frees its slot before the next step, even while it still reads its prompt. A job with a
// response format generates under its own JsonTokenConstraint
// (structured/json_token_constraint.h) over the model's vocabulary, whose tries the worker
// builds when the first such job is queued (Gemma 3's take 0.4 s) and keeps.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "driver/open_model.h"
#include "runtime/batch_generator.h"
#include "runtime/executor.h"
#include "runtime/generator.h"
#include "structured/gbnf_grammar.h"
#include "structured/json_grammar.h"
#include "structured/json_trigger.h"
#include "structured/token_vocabulary.h"

namespace lmc::tools {

struct JobResult {
  std::string finish_reason;  // "stop" (end of text or a stop string), "length", "cancelled", "error"
  int64_t prompt_tokens = 0, completion_tokens = 0;
  int64_t cached_tokens = 0;  // of the prompt, found in a slot's KV cache
  std::string error;          // when finish_reason is "error"
  // The prompt's steps (to its first token) and the decode steps' tokens and time.
  double prompt_seconds = 0, decode_seconds = 0;
  int64_t decode_tokens = 0;
  std::string stopping_word;  // the stop string that ended it, if one did
  int64_t slot = -1;          // the KV-cache slot it ran in
  int64_t held_tokens = 0;    // in the slot's KV cache after the answer (prompt and answer)
};

// What a request asks to generate: copied whole for each of OpenAI's n choices.
struct JobRequest {
  std::vector<int32_t> prompt;
  runtime::GenerateOptions generation;  // max_tokens and sampling
  bool reuse_prefix = true;             // start from a prefix of the prompt a slot's cache holds
  int64_t slot = -1;                    // the slot to run in, waited for while busy; -1: any
  bool ignore_eos = false;              // generate past the end of text
  std::shared_ptr<const structured::Grammar> response_format;  // what the answer must be; empty: text
  // Where response_format's JSON sits when it is not the whole answer (an `auto` tool
  // call's trigger, calls that may follow one another; structured/json_trigger.h).
  structured::JsonTrigger response_trigger;
  std::shared_ptr<const structured::GbnfGrammar> grammar;  // a GBNF grammar the answer keeps to; empty: none
  std::vector<std::string> stop;
  // With top_logprobs >= 0: each token's log-probability and that many alternatives', just
  // before the text it makes (runtime/token_logprobs.h); with post_sampling, in the
  // distribution the sampler drew from (llama-server's post_sampling_probs).
  int64_t top_logprobs = -1;
  bool post_sampling = false;
  // The prompt's images: rows read from their embeddings (runtime/batch_generator.h).
  runtime::PromptImages images;
};

// Where a running job stands when on_text is called (llama-server's streamed /completion
// carries it): the tokens whose text the piece is, those generated so far, the prompt's.
struct TextProgress {
  std::vector<int32_t> tokens;
  int64_t predicted = 0, evaluated = 0;
  // llama-server's timings so far (timings_per_token): the prompt's rows taken from the slot's
  // cache, the time to the first token, and the time since it over predicted - 1 decode steps.
  int64_t cached = 0;
  double prompt_seconds = 0, decode_seconds = 0;
};

// Where reading a job's prompt stands (llama-server's return_progress): its `total` tokens,
// `cached` of them taken from the slot's cache, `read` since, `seconds` since it started.
struct PromptProgress {
  int64_t total = 0, cached = 0, read = 0;
  double seconds = 0;
};

// A request in the engine: where its text and end go, and whether its client left.
struct Job : JobRequest {
  std::function<bool(const std::string&)> on_text;  // false: stop (the client is gone)
  TextProgress progress;  // set by the engine's worker before each on_text
  std::function<void(const JobResult&)> on_done;
  std::function<void(const runtime::StepLogprobs&)> on_logprobs;  // with top_logprobs >= 0
  // When set: when the job starts, and after each step that reads part of its prompt.
  std::function<void(const PromptProgress&)> on_prompt_progress;
  std::atomic<bool> cancelled{false};               // set by the client's side at any time (ServeEngine::cancel)
  std::chrono::steady_clock::time_point queued_at;  // set by submit()
};

// How many requests may wait for a free slot, and for how long (--queue, --queue-timeout).
struct QueueBounds {
  size_t limit = 16;
  std::chrono::milliseconds timeout{600'000};
};

// A KV-cache slot as llama-server's /slots shows it: the job running in it, else the last
// that ran there, if any.
struct SlotState {
  int64_t id = 0;
  bool is_processing = false;
  bool has_job = false;  // running one, or has run one
  int64_t prompt_tokens = 0, decoded_tokens = 0;
  int64_t cached_tokens = 0;  // of the prompt, not read: in the slot's cache or shared pages
  runtime::GenerateOptions generation;  // that job's
  // The KV pages the slot holds now (with -kvu), and how many of them others hold too (another
  // slot, the prefix tree: runtime/batch_generator.h).
  int64_t kv_pages = 0, kv_pages_shared = 0;
};

struct EngineCounters {
  int64_t queued = 0, running = 0;
  int64_t queue_limit = 0;
  double queue_timeout_seconds = 0;
  double oldest_wait_seconds = 0;  // of the request that has waited longest, 0 with none
  int64_t prompt_tokens = 0, cached_tokens = 0, generated_tokens = 0, jobs_done = 0;
  int64_t cancelled = 0;       // ended because their client left (waiting or running)
  int64_t queue_timeouts = 0;  // ended having waited the queue's timeout
  double last_decode_tokens_per_second = 0;  // of the last finished job, alone or not
  double busy_seconds = 0;                   // time spent in executor steps
  int64_t steps = 0;                         // executor steps run
  double prompt_seconds = 0, decode_seconds = 0;  // summed over finished generations
  int64_t busy_slot_steps = 0;   // running requests summed over the steps (per step: their mean)
  int64_t longest_sequence = 0;  // the most positions a finished generation held (prompt and answer)
  // The KV pool's pages (with -kvu): in all, held, held by the prefix tree (shared prefixes);
  // the bytes held, and held by running requests (the rest is cache, given back on demand).
  int64_t kv_pages = 0, kv_pages_used = 0, kv_pages_prefix_tree = 0;
  int64_t kv_window_pages_used = 0, kv_bytes_used = 0, kv_bytes_running = 0;
  // A position's KV bytes in the layers of the whole context, and in the sliding windows'.
  int64_t kv_position_bytes = 0, kv_window_position_bytes = 0, kv_window = 0;
};

// A slot's KV cache written to or read from a file (llama-server's slot save and restore):
// the tokens it holds, the file's bytes and the time it took.
struct SlotFile {
  int64_t tokens = 0;
  uint64_t bytes = 0;
  double seconds = 0;
};

class ServeEngine {
 public:
  // opts.sequences is the number of requests that run at once.
  ServeEngine(const driver::LoadedModel& m, runtime::ExecutorOptions opts, QueueBounds queue);
  ~ServeEngine();  // finishes the queue, then joins the worker
  ServeEngine(const ServeEngine&) = delete;
  ServeEngine& operator=(const ServeEngine&) = delete;

  // False when the queue is full (or the engine is stopping): `limit` jobs wait besides
  // those that free slots will take at the worker's next step. Jobs whose clients left are
  // out of the queue first, so they never take a waiting request's place.
  bool submit(std::shared_ptr<Job> job);
  // The job's client is gone: a waiting job leaves the queue now (its on_done "cancelled"),
  // a running one frees its slot before the next step. Any thread, any time, repeatable.
  void cancel(const std::shared_ptr<Job>& job);
  // Refuses new jobs from now on and waits until the queued and running ones are done.
  void drain();
  // llama-server's slot erase: what the free `slot`'s KV cache holds is forgotten at the
  // worker's next turn, so no prompt starts from it; returns the tokens it held. Throws
  // lmc::Error saying why not (the slot runs a job, there is no such slot, shutting down).
  int64_t erase_slot(size_t slot);
  // llama-server's slot save and restore: the free `slot`'s cache (its tokens and their rows)
  // to the file at `path` (runtime/kv_snapshot.h), or back from one, at the worker's next turn.
  // Throws lmc::Error saying why not (as erase_slot, or the file's error: another model's,
  // damaged, not writable). A restore refused by the file's header leaves the slot as it
  // was; one that fails reading its rows leaves it empty.
  SlotFile save_slot(size_t slot, const std::string& path);
  SlotFile restore_slot(size_t slot, const std::string& path);
  EngineCounters counters() const;
  std::vector<SlotState> slots() const;
  const runtime::Executor& executor() const { return ex_; }

 private:
  struct Stream;
  void work();
  // Moves queued jobs into free slots; under mu_. A job whose client left (or that waited
  // past the timeout) goes to `ended` with its result instead, answered outside the lock.
  using Ended = std::vector<std::pair<std::shared_ptr<Job>, JobResult>>;
  void admit(Ended& ended);
  // Takes the waiting jobs whose clients left, or that waited past the timeout, out of the
  // queue into `ended`; under mu_.
  void take_ended(Ended& ended);
  // Ends the running jobs whose clients left (outside mu_: their on_done takes it).
  void drop_cancelled();
  // Copies the pool's page counts into counters_ and slot_pages_ for the HTTP side; under mu_.
  void note_pages();
  void start(std::shared_ptr<Job> job);
  void finish(Stream& s, const runtime::GenerationStats& stats, const std::string& error);
  // A queued job answers in JSON; under mu_.
  bool wants_vocabulary() const;
  // Runs `task` on the worker between two steps, where no step touches the caches; rethrows
  // what it throws.
  void between_steps(std::function<void()> task);
  uint64_t snapshot_identity();  // the worker's only

  const driver::LoadedModel& m_;
  runtime::Executor ex_;
  runtime::BatchGenerator batch_;
  QueueBounds bounds_;
  mutable std::mutex mu_;
  std::condition_variable wake_, idle_;
  std::deque<std::shared_ptr<Job>> queue_;
  std::vector<std::packaged_task<void()>> tasks_;  // asked, for the worker's next turn
  uint64_t snapshot_identity_ = 0;                 // 0: not computed yet (the weights are read)
  bool stopping_ = false;
  EngineCounters counters_;
  std::vector<std::shared_ptr<Stream>> in_slot_;  // by slot: the running job's stream, or none
  std::vector<SlotState> last_in_slot_;           // by slot: the last job that ended there
  std::vector<std::pair<int64_t, int64_t>> slot_pages_;  // by slot: BatchGenerator::slot_pages
  std::shared_ptr<const structured::TokenVocabulary> vocabulary_;  // structured output's; the worker's only
  std::thread worker_;
};

}  // namespace lmc::tools
