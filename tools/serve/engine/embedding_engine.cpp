#include "tools/serve/engine/embedding_engine.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "support/error.h"

namespace lmc::tools {

namespace {

runtime::ExecutorOptions every_row(runtime::ExecutorOptions opts, const ir::ModelInfo& info) {
  opts.sequences = 1;
  opts.max_logit_rows = info.step_tokens;
  return opts;
}

// v / |v| (a zero vector stays zero), the sum in double so a long prompt's mean keeps its digits.
void unit_length(std::vector<float>& v) {
  double sum = 0;
  for (float x : v) sum += static_cast<double>(x) * x;
  if (sum == 0) return;
  const double scale = 1.0 / std::sqrt(sum);
  for (float& x : v) x = static_cast<float>(x * scale);
}

}  // namespace

std::optional<Pooling> parse_pooling(const std::string& text) {
  for (Pooling p : {Pooling::Mean, Pooling::Last, Pooling::Cls, Pooling::None})
    if (text == pooling_name(p)) return p;
  return std::nullopt;
}

const char* pooling_name(Pooling p) {
  switch (p) {
    case Pooling::Mean:
      return "mean";
    case Pooling::Last:
      return "last";
    case Pooling::Cls:
      return "cls";
    case Pooling::None:
      return "none";
  }
  return "";
}

EmbeddingEngine::EmbeddingEngine(const driver::LoadedModel& m, runtime::ExecutorOptions opts, Pooling pooling)
    : m_(m), ex_(*m.graph, m.kernels, *m.weights, m.info, every_row(opts, m.info)), pooling_(pooling) {
  if (ex_.vocab() != m.info.d_model)
    throw Error("lmc: error: " + m.info.name + " returns " + std::to_string(ex_.vocab()) +
                " values a row, not its hidden state of " + std::to_string(m.info.d_model) +
                ": --embeddings needs the model compiled with the embedding-output pass");
}

std::vector<float> EmbeddingEngine::embed(const std::vector<int32_t>& tokens, const runtime::PromptImages& images) {
  const auto n = static_cast<int64_t>(tokens.size());
  if (n < 1 || n > m_.info.context)
    throw Error("an input of " + std::to_string(n) + " tokens; the context holds 1 to " +
                std::to_string(m_.info.context));
  std::lock_guard lock(mu_);
  const auto t0 = std::chrono::steady_clock::now();
  const auto d = static_cast<size_t>(ex_.vocab());
  std::vector<double> sum(d, 0.0);
  std::vector<float> pooled(pooling_ == Pooling::None ? d * static_cast<size_t>(n) : d, 0.0f);
  ex_.reset();
  for (int64_t at = 0, end = 0; at < n; at = end) {
    end = runtime::chunk_end(images.spans, at, m_.info.step_tokens, n);
    const int64_t T = end - at;
    const float* rows = images.spans.empty() ? ex_.step(tokens.data() + at, T, at, T)
                                             : runtime::step_with_embeddings(ex_, images.spans, images.width,
                                                                             tokens.data(), at, T, 0, T);
    ++counters_.steps;
    if (pooling_ == Pooling::None)
      std::copy_n(rows, d * static_cast<size_t>(T), pooled.begin() + at * static_cast<int64_t>(d));
    if (pooling_ == Pooling::Cls && at == 0) std::copy_n(rows, d, pooled.begin());
    if (pooling_ == Pooling::Last && at + T == n)
      std::copy_n(rows + (T - 1) * static_cast<int64_t>(d), d, pooled.begin());
    if (pooling_ == Pooling::Mean)
      for (int64_t r = 0; r < T; ++r)
        for (size_t i = 0; i < d; ++i) sum[i] += rows[r * static_cast<int64_t>(d) + static_cast<int64_t>(i)];
  }
  if (pooling_ == Pooling::Mean)
    for (size_t i = 0; i < d; ++i) pooled[i] = static_cast<float>(sum[i] / static_cast<double>(n));
  if (pooling_ != Pooling::None) unit_length(pooled);
  ++counters_.requests;
  counters_.prompt_tokens += n;
  counters_.busy_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return pooled;
}

EmbeddingCounters EmbeddingEngine::counters() const {
  std::lock_guard lock(mu_);
  return counters_;
}

}  // namespace lmc::tools
