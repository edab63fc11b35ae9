// Continuous batching over one pool of KV pages (ExecutorOptions::kv_unified,
// runtime/batch_generator.h): a sequence that decodes past its last page while the others
// hold the rest waits, then goes on with the tokens it produces alone; a free slot's
// cache gives its pages back when a running sequence needs them; when every running
// sequence waits, the one that started last ends with llama-server's error and the other
// goes on; a prompt that the running sequences leave no pages for is not started; a
// restored snapshot takes its pages from the free slots' caches.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "attention_graph.h"
#include "codegen/kernel_abi.h"
#include "runtime/batch_generator.h"
#include "support/error.h"

namespace lmc::runtime {
namespace {

using testing::AttentionModel;

// A global layer of two pages of context: a pool of two pages.
struct Pooled {
  AttentionModel m{0, 2 * kKvPageRows, 4};
  testing::Kernels k = testing::jit_kernels(m.g);

  Executor executor(int64_t sequences, bool unified) {
    ExecutorOptions o;
    o.threads = 2;
    o.sequences = sequences;
    o.kv_unified = unified;
    o.max_logit_rows = m.step_tokens;
    return Executor(m.g, k.table, m.w, m.info(), o);
  }
};

std::vector<int32_t> prompt_of(int64_t n, int seed) {
  std::vector<int32_t> p;
  for (int64_t i = 0; i < n; ++i) p.push_back(static_cast<int32_t>((i * 3 + seed) % AttentionModel::kVocab));
  return p;
}

struct Answer {
  std::vector<int32_t> tokens;
  std::string error;
  bool done = false;
};

BatchJob job(const std::vector<int32_t>& prompt, int64_t max_tokens, Answer& run) {
  GenerateOptions o;
  o.max_tokens = max_tokens;
  return BatchJob{prompt, o,
                  [&run](int32_t t) {
                    run.tokens.push_back(t);
                    return true;
                  },
                  [&run](const GenerationStats&, const std::string& error) {
                    run.error = error;
                    run.done = true;
                  }};
}

std::vector<int32_t> alone(Pooled& p, const std::vector<int32_t>& prompt, int64_t max_tokens) {
  Executor ex = p.executor(1, false);
  std::vector<int32_t> tokens;
  GenerateOptions o;
  o.max_tokens = max_tokens;
  generate(ex, prompt, o, [&](int32_t t) {
    tokens.push_back(t);
    return true;
  });
  return tokens;
}

// Two slots sharing the pool, and answers for two jobs.
class BatchPages : public ::testing::Test {
 protected:
  Pooled p;
  Executor ex = p.executor(2, true);
  BatchGenerator batch{ex};
  Answer a, b;

  // Steps until no sequence runs, calling after_step after each.
  void run_until_done(const std::function<void()>& after_step = [] {}) {
    for (int steps = 0; batch.active() > 0; ++steps) {
      ASSERT_LT(steps, 1000);
      batch.step();
      after_step();
    }
  }
};

TEST_F(BatchPages, ASequenceWaitsForAPageAndProducesWhatItProducesAlone) {
  // a needs its second page at position 64, which b holds until it ends at 50 positions;
  // b's cache then gives it back.
  const auto pa = prompt_of(60, 1), pb = prompt_of(10, 2);
  const size_t slot_b = 1 - batch.add(job(pa, 30, a));
  batch.add(job(pb, 40, b));
  size_t a_when_b_ended = 0;
  run_until_done([&] {
    if (b.done && a_when_b_ended == 0) a_when_b_ended = a.tokens.size();
  });
  // a read its prompt first, then decoded positions 60 to 63 (its first token came from the
  // prompt's last row) and waited at 64 while b read its prompt and decoded to its end.
  EXPECT_EQ(a_when_b_ended, 5u);
  EXPECT_EQ(a.error, "");
  EXPECT_EQ(b.error, "");
  EXPECT_EQ(a.tokens, alone(p, pa, 30));
  EXPECT_EQ(b.tokens, alone(p, pb, 40));
  EXPECT_TRUE(batch.held(slot_b).empty());  // its page went to a
}

TEST_F(BatchPages, WhenEveryRunningSequenceWaitsTheLastToStartEnds) {
  const auto pa = prompt_of(60, 3), pb = prompt_of(60, 4);
  batch.add(job(pa, 30, a));
  batch.add(job(pb, 30, b));
  run_until_done();
  EXPECT_EQ(a.error, "");
  EXPECT_EQ(a.tokens, alone(p, pa, 30));
  EXPECT_EQ(b.error, "Context size has been exceeded.");
  EXPECT_LT(b.tokens.size(), 30u);
}

TEST_F(BatchPages, APromptGetsPagesOnlyFromWhatNoRunningSequenceHolds) {
  const size_t slot_a = batch.add(job(prompt_of(100, 5), 5, a));
  EXPECT_TRUE(batch.waits_for_pages(10));
  EXPECT_THROW(batch.add(job(prompt_of(10, 6), 5, b)), Error);
  EXPECT_FALSE(b.done);
  run_until_done();
  EXPECT_EQ(batch.held(slot_a).size(), 104u);  // its cache keeps its pages while nothing needs them
  EXPECT_FALSE(batch.waits_for_pages(2 * kKvPageRows));
  EXPECT_FALSE(batch.waits_for_pages(2 * kKvPageRows + 1));  // past the context: add() refuses it
  batch.add(job(prompt_of(10, 6), 5, b));
  run_until_done();
  EXPECT_EQ(b.error, "");
  EXPECT_EQ(b.tokens, alone(p, prompt_of(10, 6), 5));
}

// A snapshot restored into a slot takes its pages back from the other free slot's cache,
// which holds the whole pool.
TEST_F(BatchPages, ARestoredSlotTakesItsPagesFromTheFreeSlotsCaches) {
  const size_t slot_a = batch.add(job(prompt_of(100, 7), 5, a));
  run_until_done();
  EXPECT_EQ(ex.kv_cache().pool()->free_pages(), 0);
  const size_t other = 1 - slot_a;
  const auto spans = batch.restore_bytes(other, 70);
  EXPECT_EQ(ex.kv_cache().pool()->held(static_cast<int64_t>(other)), 2);
  EXPECT_TRUE(batch.held(slot_a).empty());
  EXPECT_EQ(spans.size(), 4u);  // two caches, two pages each
  batch.hold(other, prompt_of(70, 8));
  EXPECT_EQ(batch.held(other).size(), 70u);
}

}  // namespace
}  // namespace lmc::runtime
