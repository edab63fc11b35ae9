// Continuous batching over one pool of KV pages (ExecutorOptions::kv_unified,
// runtime/batch_generator.h): a sequence that decodes past its last page while the others
// hold the rest waits, then goes on with the tokens it produces alone; a free slot's
// cache gives its pages back when a running sequence needs them; when every running
// sequence waits, the one that started last ends with llama-server's error and the other
// goes on; a prompt that the running sequences leave no pages for is not started; a
// restored snapshot takes its pages from the free slots' caches. Prompts that start alike
// share the whole pages of their common start (runtime/kv_prefix_tree.h) and produce what
// they produce alone; the pages running sequences hold count a shared page once.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <tuple>
#include <vector>

#include "batch_jobs.h"
#include "codegen/kernel_abi.h"
#include "runtime/batch_generator.h"
#include "support/error.h"

namespace lmc::runtime {
namespace {

using testing::Answer;
using testing::AttentionModel;
using testing::job;
using testing::prompt_of;
constexpr int64_t P = kKvPageRows;

// A global layer of `pages` pages of context: a pool of as many pages.
struct Pooled {
  explicit Pooled(int64_t pages = 2) : m(0, pages * kKvPageRows, 4) {}
  AttentionModel m;
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

std::vector<int32_t> alone(Pooled& p, const std::vector<int32_t>& prompt, int64_t max_tokens) {
  return testing::alone(p.m, p.k, prompt, max_tokens);
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
  // a needs its second page at position P, which b holds until it ends at 3P/4 positions;
  // b's cache then gives it back.
  const auto pa = prompt_of(P - 4, 1), pb = prompt_of(P / 4, 2);
  const size_t slot_b = 1 - batch.add(job(pa, P, a));
  batch.add(job(pb, P / 2, b));
  size_t a_when_b_ended = 0;
  run_until_done([&] {
    if (b.done && a_when_b_ended == 0) a_when_b_ended = a.tokens.size();
  });
  // a read its prompt first, then decoded positions P - 4 to P - 1 (its first token came from
  // the prompt's last row) and waited at P while b read its prompt and decoded to its end.
  EXPECT_EQ(a_when_b_ended, 5u);
  EXPECT_EQ(a.error, "");
  EXPECT_EQ(b.error, "");
  EXPECT_EQ(a.tokens, alone(p, pa, P));
  EXPECT_EQ(b.tokens, alone(p, pb, P / 2));
  EXPECT_TRUE(batch.held(slot_b).empty());  // its page went to a
}

TEST_F(BatchPages, WhenEveryRunningSequenceWaitsTheLastToStartEnds) {
  const auto pa = prompt_of(P - 4, 3), pb = prompt_of(P - 4, 4);
  batch.add(job(pa, P, a));
  batch.add(job(pb, P, b));
  run_until_done();
  EXPECT_EQ(a.error, "");
  EXPECT_EQ(a.tokens, alone(p, pa, P));
  EXPECT_EQ(b.error, "Context size has been exceeded.");
  EXPECT_LT(b.tokens.size(), static_cast<size_t>(P));
}

TEST_F(BatchPages, APromptGetsPagesOnlyFromWhatNoRunningSequenceHolds) {
  const size_t slot_a = batch.add(job(prompt_of(2 * P - 8, 5), 5, a));
  EXPECT_TRUE(batch.waits_for_pages(prompt_of(10, 6)));
  EXPECT_THROW(batch.add(job(prompt_of(10, 6), 5, b)), Error);
  EXPECT_FALSE(b.done);
  run_until_done();
  EXPECT_EQ(batch.held(slot_a).size(),
            static_cast<size_t>(2 * P - 4));  // its cache keeps its pages while nothing needs them
  EXPECT_FALSE(batch.waits_for_pages(prompt_of(2 * P, 6)));
  EXPECT_FALSE(batch.waits_for_pages(prompt_of(2 * P + 1, 6)));  // past the context: add() refuses it
  batch.add(job(prompt_of(10, 6), 5, b));
  run_until_done();
  EXPECT_EQ(b.error, "");
  EXPECT_EQ(b.tokens, alone(p, prompt_of(10, 6), 5));
}

// A snapshot restored into a slot takes its pages back from the other free slot's cache,
// which holds the whole pool.
TEST_F(BatchPages, ARestoredSlotTakesItsPagesFromTheFreeSlotsCaches) {
  const size_t slot_a = batch.add(job(prompt_of(2 * P - 8, 7), 5, a));
  run_until_done();
  EXPECT_EQ(ex.kv_cache().pool()->free_pages(), 0);
  const size_t other = 1 - slot_a;
  const auto spans = batch.restore_bytes(other, P + 6);
  EXPECT_EQ(ex.kv_cache().pool()->held(static_cast<int64_t>(other)), 2);
  EXPECT_TRUE(batch.held(slot_a).empty());
  EXPECT_EQ(spans.size(), 4u);  // two caches, two pages each
  batch.hold(other, prompt_of(P + 6, 8));
  EXPECT_EQ(batch.held(other).size(), static_cast<size_t>(P + 6));
}

}  // namespace
}  // namespace lmc::runtime

namespace lmc::runtime {
namespace {

// Three slots over a pool of six pages; prompts of two whole pages and a part (kLength),
// answers of half a page (kAnswer): a prompt and its answer fit three pages.
class SharedPrefix : public ::testing::Test {
 protected:
  Pooled p{6};
  Executor ex = p.executor(3, true);
  BatchGenerator batch{ex};
  Answer a, b, c;
  static constexpr int64_t kLength = 2 * P + P / 3, kAnswer = P / 2;

  void run_until_done() {
    for (int steps = 0; batch.active() > 0; ++steps) {
      ASSERT_LT(steps, 2000);
      batch.step();
    }
  }
  // The prompt of kLength tokens that starts with the two pages of prompt_of(kLength, 1) when `shared`.
  static std::vector<int32_t> prompt(bool shared, int seed) {
    auto t = prompt_of(kLength, 1);
    for (size_t i = shared ? 2 * P : 0; i < t.size(); ++i)
      t[i] = static_cast<int32_t>((i * 5 + static_cast<size_t>(seed)) % AttentionModel::kVocab);
    return t;
  }
};

TEST_F(SharedPrefix, APromptStartedTogetherSharesTheWholePagesTheOtherRead) {
  const auto pa = prompt(true, 2), pb = prompt(true, 3);
  batch.add(job(pa, kAnswer, a));
  batch.add(job(pb, kAnswer, b));  // before a's prompt is read: both take three pages
  EXPECT_EQ(batch.page_counts().used, 6);
  run_until_done();
  EXPECT_EQ(a.cached, 0);
  EXPECT_EQ(b.cached, 2 * P);  // b read its prompt after a, from a's pages
  EXPECT_EQ(a.tokens, alone(p, pa, kAnswer));
  EXPECT_EQ(b.tokens, alone(p, pb, kAnswer));
  // a's positions in three pages and b's last page of its own, the first two a's.
  EXPECT_EQ(batch.page_counts().used, 4);
  EXPECT_EQ(batch.page_counts().prefix_tree, 2);
}

TEST_F(SharedPrefix, AFinishedPromptsPagesServeTheNextOneInAnotherSlot) {
  const auto pa = prompt(true, 2), pb = prompt(true, 3), pc = prompt(false, 4);
  const size_t slot_a = batch.add(job(pa, kAnswer, a));
  run_until_done();
  const size_t slot_c = batch.add(job(pc, kAnswer, c));  // a slot never used: a's keeps its cache
  BatchJob jb = job(pb, kAnswer, b);
  const size_t slot_b = 3 - slot_a - slot_c;
  jb.slot = static_cast<int64_t>(slot_b);
  batch.add(std::move(jb));
  EXPECT_EQ(batch.slot_pages(slot_b), (std::pair<int64_t, int64_t>{3, 2}));  // two shared, one its own
  run_until_done();
  EXPECT_EQ(b.cached, 2 * P);
  EXPECT_EQ(c.cached, 0);
  EXPECT_EQ(b.tokens, alone(p, pb, kAnswer));
  EXPECT_EQ(c.tokens, alone(p, pc, kAnswer));
}

// What running sequences hold counts the pages they share once and leaves the cache out:
// a finished prompt's pages (its slot's, the tree's), which a request needing pages takes back.
TEST_F(SharedPrefix, RunningPagesCountSharedPagesOnceAndNoCache) {
  const size_t slot_a = batch.add(job(prompt(true, 2), kAnswer, a));
  run_until_done();
  auto counts = batch.page_counts();
  EXPECT_EQ(counts.used, 3);
  EXPECT_EQ(counts.prefix_tree, 2);
  EXPECT_EQ(counts.running, 0);
  for (auto [answer, seed, slot] : {std::tuple{&b, 3, (slot_a + 1) % 3}, std::tuple{&c, 4, (slot_a + 2) % 3}}) {
    BatchJob j = job(prompt(true, seed), kAnswer, *answer);
    j.slot = static_cast<int64_t>(slot);
    batch.add(std::move(j));
  }
  counts = batch.page_counts();
  EXPECT_EQ(counts.used, 5);     // a's three, and a page of its own for b and for c
  EXPECT_EQ(counts.running, 4);  // the two shared pages once, b's and c's own
  run_until_done();
  EXPECT_EQ(batch.page_counts().running, 0);
  EXPECT_EQ(b.tokens, alone(p, prompt(true, 3), kAnswer));
  EXPECT_EQ(c.tokens, alone(p, prompt(true, 4), kAnswer));
}

// A slot whose own cache holds more of the prompt than the shared whole pages goes on from
// it, in a copy of the shared page it writes in: the tree's page stays as it was.
TEST_F(SharedPrefix, ASlotWritesInACopyOfASharedPage) {
  const auto pa = prompt_of(3 * P + P / 8, 1);
  auto pb = pa;
  pb[kLength] = (pb[kLength] + 1) % AttentionModel::kVocab;  // differs in the third page
  const size_t slot_a = batch.add(job(pa, kAnswer, a));
  run_until_done();
  const int32_t third = ex.kv_cache().page_table().first_row(static_cast<int64_t>(slot_a), 2);
  BatchJob jb = job(pb, kAnswer, b);
  jb.slot = static_cast<int64_t>(slot_a);
  batch.add(std::move(jb));
  EXPECT_NE(ex.kv_cache().page_table().first_row(static_cast<int64_t>(slot_a), 2), third);
  run_until_done();
  EXPECT_EQ(b.cached, kLength);  // the slot's own cache, past the two pages it shares
  EXPECT_EQ(b.tokens, alone(p, pb, kAnswer));
  batch.add(job(pa, kAnswer, c));  // a's three whole pages from the tree, b's copy left alone
  run_until_done();
  EXPECT_EQ(c.cached, 3 * P);
  EXPECT_EQ(c.tokens, alone(p, pa, kAnswer));
}

}  // namespace
}  // namespace lmc::runtime
