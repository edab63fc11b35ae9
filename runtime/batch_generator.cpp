#include "runtime/batch_generator.h"

#include <algorithm>
#include <chrono>

#include "ir/error.h"

namespace lmc::runtime {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) { return std::chrono::duration<double>(b - a).count(); }

}  // namespace

struct BatchGenerator::Sequence {
  BatchJob job;
  Sampler sampler;
  int32_t slot;
  int64_t arrival;
  std::vector<int32_t> history;  // the prompt, then each token fed back
  int64_t prefilled = 0;         // prompt rows in the cache
  int64_t fed = 0;               // tokens in the cache
  int64_t produced = 0;          // tokens sampled
  int32_t next = -1;             // the token the next step feeds (decoding)
  GenerationStats stats;
  Clock::time_point added, first_token;

  Sequence(BatchJob j, int32_t s, int64_t a)
      : job(std::move(j)), sampler(job.opts.sampling), slot(s), arrival(a), history(job.prompt), added(Clock::now()) {
    stats.prompt_tokens = static_cast<int64_t>(job.prompt.size());
  }
  bool prefilling() const { return prefilled < stats.prompt_tokens; }
  void logits(int64_t pos, const float* row) const {
    if (job.opts.all_logits && job.opts.on_logits) job.opts.on_logits(pos, row);
  }
};

BatchGenerator::BatchGenerator(Executor& ex, int64_t prefill_chunk)
    : ex_(ex), prefill_chunk_(prefill_chunk > 0 ? prefill_chunk : ex.info().step_tokens),
      slots_(static_cast<size_t>(ex.sequences())) {
  if (ex.info().step_tokens < ex.sequences() || ex.max_logit_rows() < ex.sequences())
    throw Error("runtime: error: batching " + std::to_string(ex.sequences()) +
                " sequences needs a step of at least that many rows (step_tokens " +
                std::to_string(ex.info().step_tokens) + ") and logits rows (max_logit_rows " +
                std::to_string(ex.max_logit_rows()) + ")");
}

BatchGenerator::~BatchGenerator() = default;

bool BatchGenerator::has_free_slot() const {
  return std::any_of(slots_.begin(), slots_.end(), [](const auto& s) { return !s; });
}

int64_t BatchGenerator::active() const {
  return std::count_if(slots_.begin(), slots_.end(), [](const auto& s) { return s != nullptr; });
}

void BatchGenerator::add(BatchJob job) {
  const int64_t context = ex_.info().context;
  if (job.prompt.empty()) throw Error("runtime: error: the prompt has no tokens");
  if (job.opts.start_pos != 0) throw Error("runtime: error: a batched sequence starts from an empty cache");
  if (job.opts.max_tokens < 1) throw Error("runtime: error: a batched sequence generates at least one token");
  if (static_cast<int64_t>(job.prompt.size()) > context)
    throw Error("runtime: error: the prompt of " + std::to_string(job.prompt.size()) +
                " tokens does not fit the context of " + std::to_string(context) + " tokens");
  auto free = std::find_if(slots_.begin(), slots_.end(), [](const auto& s) { return !s; });
  if (free == slots_.end()) throw Error("runtime: error: every sequence slot is busy");
  *free = std::make_unique<Sequence>(std::move(job), static_cast<int32_t>(free - slots_.begin()), next_arrival_++);
}

void BatchGenerator::finish(Sequence& s) {
  s.stats.end_pos = s.fed;
  if (s.produced > 0) s.stats.decode_seconds = seconds_between(s.first_token, Clock::now());
  auto done = std::move(s.job.on_done);
  GenerationStats stats = s.stats;
  slots_[static_cast<size_t>(s.slot)].reset();
  if (done) done(stats, "");
}

int64_t BatchGenerator::step() {
  std::vector<Sequence*> decoding;
  Sequence* prefill = nullptr;
  for (auto& s : slots_) {
    if (!s) continue;
    if (!s->prefilling())
      decoding.push_back(s.get());
    else if (!prefill || s->arrival < prefill->arrival)
      prefill = s.get();
  }
  if (decoding.empty() && !prefill) return 0;
  // Prompt chunks and decode rows take turns while both wait.
  if (prefill && !decoding.empty()) {
    prefill_turn_ = !prefill_turn_;
    if (prefill_turn_)
      decoding.clear();
    else
      prefill = nullptr;
  }
  const auto D = static_cast<int64_t>(decoding.size());
  int64_t chunk = 0;
  if (prefill) {
    chunk = std::min(prefill_chunk_, prefill->stats.prompt_tokens - prefill->prefilled);
    if (prefill->job.opts.all_logits) chunk = std::min(chunk, ex_.max_logit_rows());
  }
  const int64_t T = chunk + D;

  std::vector<int32_t> tokens, positions, seqs;
  for (int64_t r = 0; r < chunk; ++r) {
    tokens.push_back(prefill->job.prompt[static_cast<size_t>(prefill->prefilled + r)]);
    positions.push_back(static_cast<int32_t>(prefill->prefilled + r));
    seqs.push_back(prefill->slot);
  }
  for (Sequence* s : decoding) {
    tokens.push_back(s->next);
    positions.push_back(static_cast<int32_t>(s->fed));
    seqs.push_back(s->slot);
  }
  const bool ends_prompt = chunk > 0 && prefill->prefilled + chunk == prefill->stats.prompt_tokens;
  const bool chunk_logits = chunk > 0 && prefill->job.opts.all_logits;
  const int64_t L = std::max<int64_t>(1, D + (chunk_logits ? chunk : ends_prompt ? 1 : 0));

  const float* logits;
  try {
    logits = ex_.step(StepRows{tokens.data(), positions.data(), seqs.data(), T}, L);
  } catch (const Error& e) {
    for (auto& s : slots_) {
      if (!s) continue;
      auto done = std::move(s->job.on_done);
      GenerationStats stats = s->stats;
      s.reset();
      if (done) done(stats, e.what());
    }
    throw;
  }
  const int64_t V = ex_.vocab();
  auto row = [&](int64_t r) { return logits + (r - (T - L)) * V; };

  std::vector<std::pair<Sequence*, const float*>> sampled;
  if (chunk > 0) {
    if (chunk_logits)
      for (int64_t r = 0; r < chunk; ++r) prefill->logits(prefill->prefilled + r, row(r));
    prefill->prefilled += chunk;
    prefill->fed += chunk;
    if (ends_prompt) sampled.emplace_back(prefill, row(chunk - 1));
  }
  for (int64_t i = 0; i < D; ++i) {
    Sequence* s = decoding[static_cast<size_t>(i)];
    s->logits(s->fed, row(chunk + i));
    ++s->fed;
    ++s->stats.decode_tokens;
    sampled.emplace_back(s, row(chunk + i));
  }
  // A sampled token, as generate() treats it: the end of generation, the caller's stop,
  // the token budget or the context's end finish the sequence; otherwise the next step
  // feeds it back.
  for (auto [s, r] : sampled) {
    const int32_t token = s->sampler.sample(r, V, s->history);
    if (s->produced++ == 0) {
      s->first_token = Clock::now();
      s->stats.prefill_seconds = seconds_between(s->added, s->first_token);
    }
    const GenerateOptions& o = s->job.opts;
    if (o.is_eog && o.is_eog(token)) {
      s->stats.hit_eog = true;
      finish(*s);
      continue;
    }
    if (!s->job.on_token(token) || s->produced == o.max_tokens || s->fed >= ex_.info().context) {
      finish(*s);
      continue;
    }
    s->history.push_back(token);
    s->next = token;
  }
  return T;
}

}  // namespace lmc::runtime
