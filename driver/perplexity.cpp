#include "driver/perplexity.h"

#include <algorithm>
#include <string>

#include "support/error.h"

namespace lmc::driver {

namespace {

// A run of a chunk's rows through one graph evaluation: rows [begin, end), the last
// `logits` of them returned.
struct Step {
  int64_t begin, end, logits;
};

// The unscored first half in steps as large as the models take, then the scored rows in
// steps whose every row returns its logits.
std::vector<Step> chunk_steps(int64_t n, int64_t first, int64_t step_rows, int64_t logit_rows) {
  std::vector<Step> steps;
  for (int64_t b = 0; b < first; b += step_rows) steps.push_back({b, std::min(first, b + step_rows), 1});
  int64_t scored = std::min(step_rows, logit_rows);
  for (int64_t b = first; b < n - 1; b += scored) {
    int64_t e = std::min(n - 1, b + scored);
    steps.push_back({b, e, e - b});
  }
  return steps;
}

void check_fits(const runtime::Executor& ex, const char* which, int64_t context) {
  if (ex.info().context < context)
    throw Error("a chunk of " + std::to_string(context) + " tokens does not fit the " + which + "'s context of " +
                std::to_string(ex.info().context));
}

int64_t step_rows(const runtime::Executor& ex) { return ex.info().step_tokens; }

}  // namespace

int64_t perplexity_chunks(int64_t tokens, const PerplexityOptions& o) {
  const int64_t n = o.context;
  if (n < 4) throw Error("a chunk must hold at least 4 tokens");
  if (tokens / n < 2)
    throw Error("the text is " + std::to_string(tokens) + " tokens; it needs at least " + std::to_string(2 * n) +
                " (two chunks of " + std::to_string(n) + ")");
  return o.max_chunks > 0 ? std::min(o.max_chunks, tokens / n) : tokens / n;
}

PerplexityReport measure_perplexity(runtime::Executor& model, runtime::Executor* base, std::span<const int32_t> tokens,
                                    const PerplexityOptions& o, const ChunkDone& done) {
  const int64_t n = o.context;
  const int64_t chunks = perplexity_chunks(static_cast<int64_t>(tokens.size()), o);
  check_fits(model, "model", n);
  if (base) {
    check_fits(*base, "base model", n);
    if (base->vocab() != model.vocab())
      throw Error("the base model's vocabulary has " + std::to_string(base->vocab()) + " tokens, the model's " +
                  std::to_string(model.vocab()));
  }
  PerplexityReport r;
  r.context = n;
  r.chunks = chunks;
  if (base) r.against_base.emplace();
  int64_t rows = step_rows(model), logit_rows = model.max_logit_rows();
  if (base) {
    rows = std::min(rows, step_rows(*base));
    logit_rows = std::min(logit_rows, base->max_logit_rows());
  }
  const int64_t first = n / 2;
  const std::vector<Step> steps = chunk_steps(n, first, rows, logit_rows);
  const int64_t vocab = model.vocab();
  std::vector<int32_t> chunk(static_cast<size_t>(n));
  for (int64_t c = 0; c < r.chunks; ++c) {
    std::copy_n(tokens.begin() + c * n, n, chunk.begin());
    if (o.bos >= 0) chunk[0] = o.bos;
    model.reset();
    if (base) base->reset();
    for (const Step& s : steps) {
      const int64_t T = s.end - s.begin;
      const float* m = model.step(chunk.data() + s.begin, T, s.begin, s.logits);
      // The base's rows stay valid while the model steps: each executor owns its logits.
      const float* b = base ? base->step(chunk.data() + s.begin, T, s.begin, s.logits) : nullptr;
      for (int64_t j = std::max(s.end - s.logits, first); j < s.end; ++j) {
        int64_t row = (j - (s.end - s.logits)) * vocab;
        int32_t target = chunk[static_cast<size_t>(j + 1)];
        LogitsRow mine(m + row, vocab);
        r.model.add(mine, target);
        if (b) r.against_base->add(LogitsRow(b + row, vocab), mine, target);
      }
    }
    if (done) done(c, r);
  }
  return r;
}

}  // namespace lmc::driver
