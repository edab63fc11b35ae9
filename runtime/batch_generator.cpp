#include "runtime/batch_generator.h"

#include <algorithm>
#include <chrono>

#include "codegen/kernel_abi.h"
#include "support/error.h"

namespace lmc::runtime {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

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
  std::vector<float> masked;     // the logits row the constraint narrowed
  GenerationStats stats;
  Clock::time_point added, first_token;

  Sequence(BatchJob j, int32_t s, int64_t a, int64_t cached)
      : job(std::move(j)),
        sampler(job.opts.sampling),
        slot(s),
        arrival(a),
        history(job.prompt),
        prefilled(cached),
        fed(cached),
        added(Clock::now()) {
    stats.prompt_tokens = static_cast<int64_t>(job.prompt.size());
    stats.cached_tokens = cached;
  }
  bool prefilling() const { return prefilled < stats.prompt_tokens; }
  // The rows others may share: those before the prompt's first image.
  int64_t shareable(int64_t n) const { return rows_before_images(job.images.spans, n); }
  void logits(int64_t pos, const float* row) const {
    if (job.opts.all_logits && job.opts.on_logits) job.opts.on_logits(pos, row);
  }
};

// llama-server's message when its cache is full mid-generation.
constexpr const char* kCacheFull = "Context size has been exceeded.";

BatchGenerator::BatchGenerator(Executor& ex, int64_t prefill_chunk)
    : ex_(ex),
      pool_(ex.kv_cache().pool()),
      window_pool_(ex.kv_cache().window_pool()),
      prefill_chunk_(prefill_chunk > 0 ? prefill_chunk : ex.info().step_tokens),
      slots_(static_cast<size_t>(ex.sequences())),
      held_(slots_.size()) {
  if (pool_ && ex.rollback_limit() == INT64_MAX)
    tree_ = std::make_unique<KvPrefixTree>(*pool_, window_pool_, ex.kv_cache().window());
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

bool BatchGenerator::waits_for_pages(const std::vector<int32_t>& prompt) const {
  const auto tokens = static_cast<int64_t>(prompt.size());
  if (!pool_ || tokens > ex_.info().context) return false;
  // Every page held is held by a running sequence, a free slot's cache or the tree: all but
  // the running sequences' can be freed.
  std::vector<int32_t> running;
  for (size_t i = 0; i < slots_.size(); ++i)
    for (int64_t j = 0; slots_[i] && j < pool_->held(static_cast<int64_t>(i)); ++j)
      running.push_back(ex_.kv_cache().page_table().first_row(static_cast<int64_t>(i), j));
  std::sort(running.begin(), running.end());
  running.erase(std::unique(running.begin(), running.end()), running.end());
  int64_t available = pool_->pages() - static_cast<int64_t>(running.size());
  int64_t need = kv_pages_per_sequence(tokens);
  if (tree_)
    for (int32_t row : tree_->match(prompt, (tokens - 1) / kKvPageRows, false)) {
      --need;  // shared, and then not free for the rest
      if (!std::binary_search(running.begin(), running.end(), row)) --available;
    }
  return available < need;
}

BatchGenerator::PageCounts BatchGenerator::page_counts() const {
  if (!pool_) return {};
  std::vector<int64_t> running;
  for (size_t i = 0; i < slots_.size(); ++i)
    if (slots_[i]) running.push_back(static_cast<int64_t>(i));
  PageCounts c{pool_->pages(), pool_->pages() - pool_->free_pages(), tree_ ? tree_->pages() : 0,
               pool_->pages_held_by(running)};
  c.page_bytes = ex_.kv_cache().page_bytes(false);
  if (window_pool_) {
    c.window_pages = window_pool_->pages();
    c.window_used = window_pool_->pages() - window_pool_->free_pages();
    c.window_prefix_tree = tree_ ? tree_->window_pages() : 0;
    c.window_running = window_pool_->pages_held_by(running);
    c.window_page_bytes = ex_.kv_cache().page_bytes(true);
    c.window = ex_.kv_cache().window();
  }
  return c;
}

std::pair<int64_t, int64_t> BatchGenerator::slot_pages(size_t slot) const {
  if (!pool_) return {0, 0};
  const auto seq = static_cast<int64_t>(slot);
  int64_t shared = 0;
  for (int64_t j = 0; j < pool_->held(seq); ++j)
    shared += pool_->refs(ex_.kv_cache().page_table().first_row(seq, j)) > 1;
  return {pool_->held(seq), shared};
}

bool BatchGenerator::take_pages(size_t slot, int64_t positions) {
  if (!pool_) return true;
  return free_pages_for(slot, pool_->lacking(static_cast<int64_t>(slot), positions)) &&
         pool_->grow(static_cast<int64_t>(slot), positions);
}

bool BatchGenerator::take_window_pages(size_t slot, int64_t pos, int64_t end) {
  if (!window_pool_) return true;
  const auto seq = static_cast<int64_t>(slot);
  window_pool_->drop_before(seq, ex_.kv_cache().window_first_page(pos));
  return free_pages_for(slot, 0, window_pool_->lacking(seq, end)) && window_pool_->grow(seq, end);
}

bool BatchGenerator::free_pages_for(size_t slot, int64_t n, int64_t window_n) {
  if (tree_ && window_pool_ && window_n > window_pool_->free_pages()) tree_->trim();
  while (n > pool_->free_pages() || (window_pool_ && window_n > window_pool_->free_pages())) {
    if (tree_ && tree_->evict()) continue;
    size_t oldest = slots_.size();
    for (size_t i = 0; i < slots_.size(); ++i)
      if (i != slot && !slots_[i] && pool_->held(static_cast<int64_t>(i)) > 0 &&
          (oldest == slots_.size() || held_[i].ended < held_[oldest].ended))
        oldest = i;
    if (oldest == slots_.size()) return false;
    drop_held(oldest);
  }
  return true;
}

int64_t BatchGenerator::share_prefix(size_t slot, const BatchJob& job, int64_t cached) {
  if (!tree_ || !job.reuse_prefix || job.opts.all_logits) return cached;
  const auto seq = static_cast<int64_t>(slot);
  tree_->part(job.prompt);
  const auto n = static_cast<int64_t>(job.prompt.size());
  const std::vector<int32_t> rows =
      tree_->match(job.prompt, std::min(n - 1, rows_before_images(job.images.spans, n)) / kKvPageRows);
  const auto m = static_cast<int64_t>(rows.size());
  if (m * kKvPageRows > cached) {
    for (int64_t j = 0; j < m; ++j) pool_->share(seq, j, rows[static_cast<size_t>(j)]);
    if (window_pool_) {
      const int64_t first = tree_->window_first_page(m);
      window_pool_->drop_before(seq, first);
      const std::vector<int32_t> window_rows = tree_->window_rows(job.prompt, m);
      for (int64_t j = first; j < m; ++j) window_pool_->share(seq, j, window_rows[static_cast<size_t>(j - first)]);
    }
    return m * kKvPageRows;
  }
  const int64_t page = cached / kKvPageRows;
  if (!own_page(slot, *pool_, false, page) || (window_pool_ && !own_page(slot, *window_pool_, true, page))) {
    for (KvPagePool* p : {pool_, window_pool_})
      if (p) p->shrink(seq, page * kKvPageRows);
    return page * kKvPageRows;
  }
  return cached;
}

bool BatchGenerator::own_page(size_t slot, KvPagePool& pool, bool window, int64_t page) {
  const auto seq = static_cast<int64_t>(slot);
  const KvPageTable& table = window ? ex_.kv_cache().window_page_table() : ex_.kv_cache().page_table();
  if (page >= pool.held(seq) || pool.refs(table.first_row(seq, page)) == 1) return true;
  if (!free_pages_for(slot, window ? 0 : 1, window ? 1 : 0)) return false;
  if (const int32_t from = pool.unshare(seq, page); from >= 0)
    ex_.kv_cache().copy_page(from, table.first_row(seq, page), window);
  return true;
}

void BatchGenerator::offer_pages(size_t slot, std::span<const int32_t> tokens, bool trim) {
  if (!tree_) return;
  const auto seq = static_cast<int64_t>(slot);
  std::vector<int32_t> rows, window_rows;
  for (int64_t j = 0; j < static_cast<int64_t>(tokens.size()) / kKvPageRows; ++j) {
    rows.push_back(ex_.kv_cache().page_table().first_row(seq, j));
    const bool held = window_pool_ && j >= window_pool_->first(seq) && j < window_pool_->held(seq);
    window_rows.push_back(held ? ex_.kv_cache().window_page_table().first_row(seq, j) : -1);
  }
  tree_->insert(tokens, rows, window_rows, trim);
}

void BatchGenerator::drop_held(size_t slot) {
  held_[slot] = Held{};
  for (KvPagePool* p : {pool_, window_pool_})
    if (p) p->shrink(static_cast<int64_t>(slot), 0);
}

std::vector<BatchGenerator::Sequence*> BatchGenerator::with_pages(const std::vector<Sequence*>& decoding,
                                                                  bool prefill_waits) {
  std::vector<Sequence*> ready;
  for (Sequence* s : decoding)
    if (take_pages(static_cast<size_t>(s->slot), s->fed + 1) &&
        take_window_pages(static_cast<size_t>(s->slot), s->fed, s->fed + 1))
      ready.push_back(s);
  if (!ready.empty() || decoding.empty() || prefill_waits) return ready;
  Sequence* last = *std::max_element(decoding.begin(), decoding.end(),
                                     [](const Sequence* a, const Sequence* b) { return a->arrival < b->arrival; });
  finish(*last, kCacheFull);
  return {};
}

int64_t BatchGenerator::active() const {
  return std::count_if(slots_.begin(), slots_.end(), [](const auto& s) { return s != nullptr; });
}

size_t BatchGenerator::add(BatchJob job) {
  const int64_t context = ex_.info().context;
  if (job.prompt.empty()) throw Error("runtime: error: the prompt has no tokens");
  if (job.opts.start_pos != 0) throw Error("runtime: error: a batched sequence starts from an empty cache");
  if (job.opts.max_tokens < 1) throw Error("runtime: error: a batched sequence generates at least one token");
  if (static_cast<int64_t>(job.prompt.size()) > context)
    throw Error("runtime: error: the prompt of " + std::to_string(job.prompt.size()) +
                " tokens does not fit the context of " + std::to_string(context) + " tokens");
  const int64_t chunk = job.opts.all_logits ? std::min(prefill_chunk_, ex_.max_logit_rows()) : prefill_chunk_;
  if (const PromptEmbeddings* image = span_past_step(job.images.spans, chunk))
    throw Error("runtime: error: an image of " + std::to_string(image->rows) + " tokens does not fit a step of " +
                std::to_string(chunk) + " rows");
  if (!job.images.spans.empty() && ex_.rows_width("image_rows") != job.images.width)
    throw Error("runtime: error: the model reads no image rows of width " + std::to_string(job.images.width));
  if (!has_free_slot()) throw Error("runtime: error: every sequence slot is busy");
  if (!job.constraint && job.opts.constraint) job.constraint = job.opts.constraint();
  if (job.slot >= 0) check_free(static_cast<size_t>(job.slot));
  auto [slot, cached] = pick_slot(job);
  if (pool_) {
    for (KvPagePool* p : {pool_, window_pool_})
      if (p) p->shrink(static_cast<int64_t>(slot), cached);
    cached = share_prefix(slot, job, cached);
  }
  if (!take_pages(slot, static_cast<int64_t>(job.prompt.size()))) {
    drop_held(slot);  // its pages past the prefix are gone
    throw Error("runtime: error: the prompt of " + std::to_string(job.prompt.size()) +
                " tokens does not get its KV pages: the running sequences hold the others");
  }
  slots_[slot] = std::make_unique<Sequence>(std::move(job), static_cast<int32_t>(slot), next_arrival_++, cached);
  if (const auto& progress = slots_[slot]->job.on_prompt_progress) progress(cached, 0, 0.0);
  return slot;
}

std::pair<size_t, int64_t> BatchGenerator::pick_slot(const BatchJob& job) const {
  const bool reuse = job.reuse_prefix && !job.opts.all_logits;
  const int64_t most = rows_before_images(job.images.spans, static_cast<int64_t>(job.prompt.size()));
  if (job.slot >= 0) {
    const auto slot = static_cast<size_t>(job.slot);
    return {slot, reuse ? std::min(most, reusable(slot, job.prompt)) : 0};
  }
  size_t best = slots_.size();
  int64_t best_cached = -1;
  for (size_t i = 0; i < slots_.size(); ++i) {
    if (slots_[i]) continue;
    int64_t cached = reuse ? std::min(most, reusable(i, job.prompt)) : 0;
    if (cached > best_cached || (cached == best_cached && held_[i].ended < held_[best].ended)) {
      best = i;
      best_cached = cached;
    }
  }
  return {best, best_cached};
}

int64_t reusable_prefix(const std::vector<int32_t>& held, const std::vector<int32_t>& prompt, int64_t rollback_limit) {
  auto n =
      static_cast<int64_t>(std::mismatch(held.begin(), held.end(), prompt.begin(), prompt.end()).first - held.begin());
  n = std::min(n, static_cast<int64_t>(prompt.size()) - 1);
  return static_cast<int64_t>(held.size()) - n > rollback_limit ? 0 : n;
}

int64_t BatchGenerator::reusable(size_t slot, const std::vector<int32_t>& prompt) const {
  // Going back over the rows written past what the slot holds counts against the limit too.
  const int64_t limit = ex_.rollback_limit() == INT64_MAX ? INT64_MAX : ex_.rollback_limit() - held_[slot].beyond;
  const int64_t n = reusable_prefix(held_[slot].tokens, prompt, limit);
  // A window's pages that the slot let go of are not there to go back to.
  if (window_pool_ && ex_.kv_cache().window_first_page(n) < window_pool_->first(static_cast<int64_t>(slot))) return 0;
  return n;
}

void BatchGenerator::check_free(size_t slot) const {
  if (slot >= slots_.size()) throw Error("no slot " + std::to_string(slot));
  if (slots_[slot]) throw Error("slot " + std::to_string(slot) + " is running a sequence");
}

const std::vector<int32_t>& BatchGenerator::held(size_t slot) const {
  check_free(slot);
  return held_[slot].tokens;
}

void BatchGenerator::hold(size_t slot, std::vector<int32_t> tokens) {
  check_free(slot);
  if (static_cast<int64_t>(tokens.size()) > ex_.info().context)
    throw Error("runtime: error: " + std::to_string(tokens.size()) + " tokens do not fit the context of " +
                std::to_string(ex_.info().context));
  if (!take_pages(slot, static_cast<int64_t>(tokens.size())))
    throw Error("runtime: error: " + std::to_string(tokens.size()) +
                " tokens do not get their KV pages: the running sequences hold the others");
  held_[slot] = Held{std::move(tokens), ended_++};
  offer_pages(slot, held_[slot].tokens);
}

std::vector<std::span<std::byte>> BatchGenerator::restore_bytes(size_t slot, int64_t tokens) {
  forget(slot);
  if (tokens <= ex_.info().context && !take_pages(slot, tokens))
    throw Error("runtime: error: " + std::to_string(tokens) +
                " tokens do not get their KV pages: the running sequences hold the others");
  return ex_.kv_cache().sequence_bytes(static_cast<int64_t>(slot), tokens);
}

int64_t BatchGenerator::forget(size_t slot) {
  check_free(slot);
  const auto n = static_cast<int64_t>(held_[slot].tokens.size());
  if (tree_) tree_->forget(held_[slot].tokens);
  drop_held(slot);
  return n;
}

void BatchGenerator::finish(Sequence& s, const std::string& error) {
  s.stats.end_pos = s.fed;
  if (s.produced > 0) s.stats.decode_seconds = seconds_between(s.first_token, Clock::now());
  auto done = std::move(s.job.on_done);
  GenerationStats stats = s.stats;
  Held& held = held_[static_cast<size_t>(s.slot)];
  held.tokens.clear();
  held.beyond = 0;
  if (error.empty()) {
    const int64_t written = std::min<int64_t>(s.fed, static_cast<int64_t>(s.history.size()));
    held.tokens.assign(s.history.begin(), s.history.begin() + s.shareable(written));
    held.beyond = written - static_cast<int64_t>(held.tokens.size());
  }
  held.ended = ended_++;
  for (KvPagePool* p : {pool_, window_pool_})
    if (p) p->shrink(s.slot, static_cast<int64_t>(held.tokens.size()));
  offer_pages(static_cast<size_t>(s.slot), held.tokens);
  slots_[static_cast<size_t>(s.slot)].reset();
  if (done) done(stats, error);
}

void BatchGenerator::cancel(size_t slot) {
  if (slot < slots_.size() && slots_[slot]) finish(*slots_[slot]);
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
  // Prompt chunks and decode rows take turns while both wait.
  if (prefill && !decoding.empty()) prefill_turn_ = !prefill_turn_;
  if (prefill && (decoding.empty() || prefill_turn_)) return prefill_step(*prefill);
  decoding = with_pages(decoding, prefill != nullptr);
  if (decoding.empty()) return prefill ? prefill_step(*prefill) : 0;
  return decode_step(decoding);
}

int64_t BatchGenerator::prefill_step(Sequence& s) {
  if (s.prefilled == s.stats.cached_tokens && pool_) {
    // Prompts read since this one started may have put more of it in the prefix tree.
    s.prefilled = s.fed = s.stats.cached_tokens = share_prefix(static_cast<size_t>(s.slot), s.job, s.prefilled);
  }
  const int64_t chunk = s.job.opts.all_logits ? std::min(prefill_chunk_, ex_.max_logit_rows()) : prefill_chunk_;
  const PromptImages& images = s.job.images;
  const int64_t T = chunk_end(images.spans, s.prefilled, chunk, s.stats.prompt_tokens) - s.prefilled;
  if (!take_window_pages(static_cast<size_t>(s.slot), s.prefilled, s.prefilled + T))
    throw Error("runtime: error: the KV window pool has too few pages for a prompt chunk");
  std::vector<int32_t> positions(static_cast<size_t>(T)), seqs(static_cast<size_t>(T), s.slot);
  for (int64_t r = 0; r < T; ++r) positions[static_cast<size_t>(r)] = static_cast<int32_t>(s.prefilled + r);
  const int64_t L = s.job.opts.all_logits ? T : 1;
  std::vector<int32_t> key_ends;
  if (!images.spans.empty()) key_ends = give_embeddings(ex_, images.spans, images.width, s.prefilled, T, 0);
  const float* logits = run({s.job.prompt.data() + s.prefilled, positions.data(), seqs.data(), T,
                             key_ends.empty() ? nullptr : key_ends.data()},
                            L);
  const int64_t V = ex_.vocab();
  for (int64_t r = T - L; r < T; ++r) s.logits(s.prefilled + r, logits + (r - (T - L)) * V);
  s.prefilled += T;
  s.fed += T;
  offer_pages(static_cast<size_t>(s.slot), std::span(s.job.prompt).first(static_cast<size_t>(s.shareable(s.prefilled))),
              false);
  if (s.job.on_prompt_progress)
    s.job.on_prompt_progress(s.stats.cached_tokens, s.prefilled - s.stats.cached_tokens,
                             seconds_between(s.added, Clock::now()));
  if (!s.prefilling()) take(s, logits + (L - 1) * V);
  return T;
}

int64_t BatchGenerator::decode_step(const std::vector<Sequence*>& decoding) {
  const auto T = static_cast<int64_t>(decoding.size());
  std::vector<int32_t> tokens, positions, seqs;
  for (Sequence* s : decoding) {
    tokens.push_back(s->next);
    positions.push_back(static_cast<int32_t>(s->fed));
    seqs.push_back(s->slot);
  }
  const float* logits = run({tokens.data(), positions.data(), seqs.data(), T}, T);
  for (int64_t i = 0; i < T; ++i) {
    Sequence* s = decoding[static_cast<size_t>(i)];
    const float* row = logits + i * ex_.vocab();
    s->logits(s->fed, row);
    ++s->fed;
    ++s->stats.decode_tokens;
    take(*s, row);
  }
  return T;
}

const float* BatchGenerator::run(const StepRows& rows, int64_t L) {
  try {
    return ex_.step(rows, L);
  } catch (const Error& e) {
    for (auto& s : slots_)
      if (s) finish(*s, e.what());
    throw;
  }
}

// A sampled token, as generate() treats it: the end of generation, the caller's stop,
// the token budget or the context's end finish the sequence; otherwise the next step
// feeds it back.
void BatchGenerator::take(Sequence& s, const float* row) {
  TokenConstraint* constraint = s.job.constraint.get();
  if (constraint) {
    s.masked.assign(row, row + ex_.vocab());
    if (!constraint->mask(s.masked)) {
      // A constraint's automaton that can no longer close is its bug, not the client's:
      // the answer ends where it is, as at its length limit, and the stats say why.
      s.stats.constraint_stuck = true;
      return finish(s);
    }
    row = s.masked.data();
  }
  const int32_t token = s.sampler.sample(row, ex_.vocab(), s.history);
  if (s.produced++ == 0) {
    s.first_token = Clock::now();
    s.stats.prefill_seconds = seconds_between(s.added, s.first_token);
  }
  const GenerateOptions& o = s.job.opts;
  if (o.is_eog && o.is_eog(token)) {
    s.stats.hit_eog = true;
    return finish(s);
  }
  if (constraint && !constraint->accept(token))
    return finish(s, "runtime: error: token " + std::to_string(token) + " breaks the constrained output");
  if (s.job.top_logprobs >= 0)
    s.job.on_logprobs(s.job.post_sampling ? drawn_logprobs(s.sampler, token, s.job.top_logprobs)
                                          : token_logprobs(s.sampler.adjusted_logits(), o.sampling.temperature, token,
                                                           s.job.top_logprobs));
  const bool keep_going = s.job.on_token(token);
  if (constraint && constraint->complete()) {
    // A whole constrained answer ends as its end of generation would, unless its last
    // token is the budget's: then it was closed to fit max_tokens, and ends by length.
    s.stats.hit_eog = s.produced != o.max_tokens;
    return finish(s);
  }
  if (!keep_going || s.produced == o.max_tokens || s.fed >= ex_.info().context) return finish(s);
  s.history.push_back(token);
  s.next = token;
}

}  // namespace lmc::runtime
