// A sliding window's pool of KV pages (runtime/kv_cache.h) running short while the prefix
// tree (runtime/kv_prefix_tree.h) holds the window pages before many places where prompts
// part or end: the sequences that then run get their window pages from what the tree and
// the free slots' caches let go of, never from each other. Every page a running sequence
// holds in its window keeps its row from step to step, and every answer is what its
// prompt produces alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
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

class BatchWindowPages : public ::testing::Test {
 protected:
  AttentionModel m{2 * P, 24 * P, 4, true};  // a window of two pages, paged
  testing::Kernels k = testing::jit_kernels(m.g);
  Executor ex = executor();
  BatchGenerator batch{ex};
  KvPagePool& windows = *ex.kv_cache().window_pool();

  Executor executor() {
    ExecutorOptions o;
    o.threads = 2;
    o.sequences = 3;
    o.kv_unified = true;
    o.max_logit_rows = m.step_tokens;
    return Executor(m.g, k.table, m.w, m.info(), o);
  }

  // The rows of the window pages sequence `seq` holds, by page.
  std::map<int64_t, int32_t> window_rows(int64_t seq) {
    std::map<int64_t, int32_t> rows;
    for (int64_t j = windows.first(seq); j < windows.held(seq); ++j)
      rows[j] = ex.kv_cache().window_page_table().first_row(seq, j);
    return rows;
  }

  // Steps until no sequence runs, checking that the window pages of the `watched` slots keep
  // their rows; the most window pages they held together after a step.
  int64_t run_until_done(const std::vector<size_t>& watched = {}) {
    int64_t most = 0;
    for (int steps = 0; batch.active() > 0; ++steps) {
      if (steps >= 4000) throw Error("the batch did not finish");
      std::vector<std::map<int64_t, int32_t>> before;
      for (size_t slot : watched) before.push_back(window_rows(static_cast<int64_t>(slot)));
      batch.step();
      for (size_t i = 0; i < watched.size(); ++i) {
        const auto seq = static_cast<int64_t>(watched[i]);
        for (const auto& [page, row] : before[i]) {
          if (page < windows.first(seq) || page >= windows.held(seq)) continue;  // left behind its window
          EXPECT_EQ(ex.kv_cache().window_page_table().first_row(seq, page), row) << "slot " << seq << " page " << page;
          EXPECT_GE(windows.refs(row), 1);
        }
      }
      int64_t held = 0;
      for (size_t slot : watched)
        held += windows.held(static_cast<int64_t>(slot)) - windows.first(static_cast<int64_t>(slot));
      most = std::max(most, held);
    }
    return most;
  }
};

TEST_F(BatchWindowPages, RunningSequencesKeepTheirPagesWhileTheTreeGivesUpBranchPoints) {
  // Prompts that part from one another after each of four pages, read one after another:
  // the tree keeps the window before each place they part and before each end.
  const std::vector<int32_t> base = prompt_of(6 * P, 1);
  for (int64_t branch = 1; branch <= 4; ++branch) {
    std::vector<int32_t> p = base;
    p[static_cast<size_t>(branch * P + 1)] =
        static_cast<int32_t>((p[static_cast<size_t>(branch * P + 1)] + 1) % AttentionModel::kVocab);
    Answer done;
    batch.add(job(p, 2, done));
    run_until_done();
    ASSERT_EQ(done.error, "");
  }
  const BatchGenerator::PageCounts filled = batch.page_counts();
  EXPECT_GE(filled.window_prefix_tree, 6);  // the windows before the four places they part, and the last end
  const int64_t free_then = filled.window_pages - filled.window_used;

  // Two new prompts, then a third that shares the branches' first pages, while they decode.
  const auto pa = prompt_of(3 * P + 3, 2), pb = prompt_of(3 * P + 5, 3);
  std::vector<int32_t> pc(base.begin(), base.begin() + 3 * P);
  for (int64_t i = 0; i < P / 2; ++i) pc.push_back(static_cast<int32_t>((i * 7 + 1) % AttentionModel::kVocab));
  Answer a, b, c;
  const size_t slot_a = batch.add(job(pa, 3 * P, a));
  const size_t slot_b = batch.add(job(pb, 3 * P, b));
  for (int i = 0; i < 6; ++i) batch.step();
  const size_t slot_c = batch.add(job(pc, 2 * P, c));
  const int64_t most = run_until_done({slot_a, slot_b, slot_c});
  // They held more window pages than were free: the rest came from the tree and the free
  // slots' caches, none from one another (their rows never changed).
  EXPECT_GT(most, free_then);
  EXPECT_EQ(a.error, "");
  EXPECT_EQ(b.error, "");
  EXPECT_EQ(c.error, "");
  EXPECT_EQ(a.tokens, testing::alone(m, k, pa, 3 * P));
  EXPECT_EQ(b.tokens, testing::alone(m, k, pb, 3 * P));
  EXPECT_EQ(c.tokens, testing::alone(m, k, pc, 2 * P));
}

}  // namespace
}  // namespace lmc::runtime
