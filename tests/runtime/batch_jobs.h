// Jobs for the batch generator's tests over a pool of KV pages (test_batch_pages.cpp,
// test_batch_window_pages.cpp): prompts, the answer a job records, and what a prompt
// produces alone in an executor of its own.
#pragma once
#include <string>
#include <vector>

#include "attention_graph.h"
#include "runtime/batch_generator.h"

namespace lmc::runtime::testing {

inline std::vector<int32_t> prompt_of(int64_t n, int seed) {
  std::vector<int32_t> p;
  for (int64_t i = 0; i < n; ++i) p.push_back(static_cast<int32_t>((i * 3 + seed) % AttentionModel::kVocab));
  return p;
}

struct Answer {
  std::vector<int32_t> tokens;
  std::string error;
  bool done = false;
  int64_t cached = -1;
};

inline BatchJob job(const std::vector<int32_t>& prompt, int64_t max_tokens, Answer& run) {
  GenerateOptions o;
  o.max_tokens = max_tokens;
  return BatchJob{prompt, o,
                  [&run](int32_t t) {
                    run.tokens.push_back(t);
                    return true;
                  },
                  [&run](const GenerationStats& stats, const std::string& error) {
                    run.cached = stats.cached_tokens;
                    run.error = error;
                    run.done = true;
                  }};
}

// What `prompt` produces alone: one sequence with a whole context of its own.
inline std::vector<int32_t> alone(const AttentionModel& m, const Kernels& k, const std::vector<int32_t>& prompt,
                                  int64_t max_tokens) {
  ExecutorOptions o;
  o.threads = 2;
  o.max_logit_rows = m.step_tokens;
  Executor ex(m.g, k.table, m.w, m.info(), o);
  std::vector<int32_t> tokens;
  GenerateOptions g;
  g.max_tokens = max_tokens;
  generate(ex, prompt, g, [&](int32_t t) {
    tokens.push_back(t);
    return true;
  });
  return tokens;
}

}  // namespace lmc::runtime::testing
