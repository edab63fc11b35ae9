// Continuous batching against generation alone: sequences that join at different
// steps, with prompts longer than a step and sampling or greedy, produce the tokens
// and logits each produces alone; slots are reused as sequences finish; a step's rows
// never exceed step_tokens; and the caller's stop, the token budget and the context's
// end finish a sequence as they finish generate().
#include <gtest/gtest.h>

#include <map>

#include "attention_graph.h"
#include "ir/error.h"
#include "runtime/batch_generator.h"

namespace lmc::runtime {
namespace {

using testing::AttentionModel;

struct Model {
  AttentionModel m;
  testing::Kernels k;
  Model(int64_t window, int64_t context, int64_t step_tokens)
      : m(window, context, step_tokens), k(testing::jit_kernels(m.g)) {}

  Executor executor(int64_t sequences) {
    ExecutorOptions o;
    o.threads = 2;
    o.sequences = sequences;
    o.max_logit_rows = m.step_tokens;
    return Executor(m.g, k.table, m.w, m.info(), o);
  }
};

struct Outcome {
  std::vector<int32_t> tokens;
  std::vector<std::vector<float>> logits;  // every prompt row's and decode step's
  GenerationStats stats;
  bool done = false;
};

std::vector<int32_t> prompt_of(int64_t n, int seed) {
  std::vector<int32_t> p;
  for (int64_t i = 0; i < n; ++i) p.push_back(static_cast<int32_t>((i * 5 + seed * 3) % AttentionModel::kVocab));
  return p;
}

GenerateOptions options(int64_t max_tokens, int seed, Outcome& out) {
  GenerateOptions o;
  o.max_tokens = max_tokens;
  o.all_logits = true;
  o.on_logits = [&out](int64_t, const float* row) { out.logits.emplace_back(row, row + AttentionModel::kVocab); };
  if (seed % 2) {  // every other sequence samples, with its own seed
    o.sampling.temperature = 0.8f;
    o.sampling.seed = static_cast<uint64_t>(seed);
  }
  return o;
}

Outcome alone(Model& model, const std::vector<int32_t>& prompt, int64_t max_tokens, int seed) {
  Executor ex = model.executor(1);
  Outcome out;
  out.stats = generate(ex, prompt, options(max_tokens, seed, out), [&](int32_t t) {
    out.tokens.push_back(t);
    return true;
  });
  return out;
}

TEST(BatchGenerator, SequencesJoiningAtDifferentStepsProduceWhatTheyProduceAlone) {
  for (int64_t sequences : {1, 3, 8}) {
    Model model(/*window=*/4, /*context=*/48, /*step_tokens=*/sequences + 3);
    Executor ex = model.executor(sequences);
    BatchGenerator batch(ex, /*prefill_chunk=*/4);
    const int jobs = static_cast<int>(2 * sequences + 1);
    std::map<int, Outcome> got;
    int added = 0;
    int64_t steps = 0;
    while (added < jobs || batch.active() > 0) {
      // One new sequence every other step while a slot is free: arrivals mid-decode.
      if (added < jobs && batch.has_free_slot() && steps % 2 == 0) {
        int id = added++;
        Outcome& out = got[id];
        BatchJob job{prompt_of(3 + id % 7 * 2, id), options(4 + id % 5, id, out),
                     [&out](int32_t t) {
                       out.tokens.push_back(t);
                       return true;
                     },
                     [&out](const GenerationStats& st, const std::string& error) {
                       EXPECT_EQ(error, "");
                       out.stats = st;
                       out.done = true;
                     }};
        batch.add(std::move(job));
      }
      int64_t rows = batch.step();
      EXPECT_LE(rows, model.m.step_tokens);
      ++steps;
      ASSERT_LT(steps, 1000);
    }
    for (int id = 0; id < jobs; ++id) {
      const Outcome& b = got[id];
      Outcome a = alone(model, prompt_of(3 + id % 7 * 2, id), 4 + id % 5, id);
      ASSERT_TRUE(b.done) << "sequence " << id;
      EXPECT_EQ(b.tokens, a.tokens) << sequences << " slots, sequence " << id;
      ASSERT_EQ(b.logits.size(), a.logits.size()) << sequences << " slots, sequence " << id;
      for (size_t r = 0; r < a.logits.size(); ++r)
        for (size_t c = 0; c < a.logits[r].size(); ++c)
          ASSERT_NEAR(b.logits[r][c], a.logits[r][c], 1e-6) << "sequence " << id << " row " << r << " column " << c;
      EXPECT_EQ(b.stats.prompt_tokens, a.stats.prompt_tokens);
      EXPECT_EQ(b.stats.decode_tokens, a.stats.decode_tokens);
      EXPECT_EQ(b.stats.end_pos, a.stats.end_pos);
    }
  }
}

TEST(BatchGenerator, StopsAsGenerateStops) {
  Model model(0, 16, 4);
  Executor ex = model.executor(2);
  BatchGenerator batch(ex);
  std::vector<int32_t> stopped, at_context;
  GenerationStats stop_stats, context_stats;
  GenerateOptions o;
  o.max_tokens = 100;
  batch.add({prompt_of(3, 1), o,
             [&](int32_t t) {
               stopped.push_back(t);
               return stopped.size() < 2;  // the caller stops after two tokens
             },
             [&](const GenerationStats& st, const std::string&) { stop_stats = st; }});
  batch.add({prompt_of(10, 2), o, [&](int32_t t) { at_context.push_back(t); return true; },
             [&](const GenerationStats& st, const std::string&) { context_stats = st; }});
  while (batch.active() > 0) batch.step();
  EXPECT_EQ(stopped.size(), 2u);
  EXPECT_EQ(stop_stats.decode_tokens, 1);
  EXPECT_EQ(context_stats.end_pos, 16);  // the context's end
  EXPECT_EQ(at_context.size(), 7u);      // the prefill's token and 6 decode steps
  EXPECT_TRUE(batch.has_free_slot());
}

TEST(BatchGenerator, RefusesWhatCannotRun) {
  Model model(0, 16, 4);
  Executor ex = model.executor(2);
  BatchGenerator batch(ex);
  GenerateOptions o;
  auto job = [&](std::vector<int32_t> prompt) { return BatchJob{std::move(prompt), o, [](int32_t) { return true; }, {}}; };
  EXPECT_THROW(batch.add(job({})), Error);
  EXPECT_THROW(batch.add(job(prompt_of(17, 0))), Error);
  batch.add(job(prompt_of(2, 0)));
  batch.add(job(prompt_of(2, 1)));
  EXPECT_FALSE(batch.has_free_slot());
  EXPECT_THROW(batch.add(job(prompt_of(2, 2))), Error);
  Executor wide = model.executor(8);  // 8 slots cannot share a step of 4 rows
  EXPECT_THROW(BatchGenerator{wide}, Error);
}

}  // namespace
}  // namespace lmc::runtime
