// One pool of KV pages shared by the sequence slots (runtime/kv_page_pool.h): pages taken as
// a sequence grows and given back as it ends or goes back, never more than the pool has and
// never a page another sequence holds; a unified KvCache holds the pool's pages for its
// caches as long as the context and a ring per slot; an executor over it gives the same bits
// as over caches of a whole context per slot, with the pages of the sequences interleaved
// in the pool, and refuses a step whose rows lack more pages than are free.
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "attention_graph.h"
#include "codegen/kernel_abi.h"
#include "runtime/executor.h"
#include "runtime/kv_cache.h"
#include "runtime/kv_page_pool.h"
#include "support/error.h"

namespace lmc::runtime {
namespace {

using testing::AttentionModel;

TEST(KvPagePool, TakesPagesAsASequenceGrowsAndGetsThemBack) {
  KvPageTable table(3, 5 * kKvPageRows);
  KvPagePool pool(table, 6);
  EXPECT_EQ(pool.free_pages(), 6);
  EXPECT_EQ(pool.lacking(0, 1), 1);
  EXPECT_TRUE(pool.grow(0, 1));
  EXPECT_TRUE(pool.grow(0, kKvPageRows));  // still one page
  EXPECT_EQ(pool.held(0), 1);
  EXPECT_TRUE(pool.grow(1, 3 * kKvPageRows + 1));
  EXPECT_EQ(pool.held(1), 4);
  EXPECT_EQ(pool.free_pages(), 1);
  EXPECT_EQ(pool.lacking(2, 2 * kKvPageRows), 2);
  EXPECT_FALSE(pool.grow(2, 2 * kKvPageRows));  // two lacking, one free: takes none
  EXPECT_EQ(pool.held(2), 0);
  EXPECT_EQ(pool.free_pages(), 1);
  std::set<int32_t> rows;  // the pages held are distinct pages of the pool
  for (int64_t s : {0, 1})
    for (int64_t j = 0; j < pool.held(s); ++j) {
      const int32_t row = table.first_row(s, j);
      EXPECT_EQ(row % kKvPageRows, 0);
      EXPECT_LT(row, 6 * kKvPageRows);
      EXPECT_TRUE(rows.insert(row).second) << "page at row " << row << " held twice";
    }
  pool.shrink(1, kKvPageRows + 1);  // back to two pages
  EXPECT_EQ(pool.held(1), 2);
  EXPECT_TRUE(pool.grow(2, 2 * kKvPageRows));
  pool.shrink(0, 0);
  pool.shrink(1, 0);
  pool.shrink(2, 0);
  EXPECT_EQ(pool.free_pages(), 6);
  EXPECT_THROW(pool.grow(0, 5 * kKvPageRows + 1), Error);  // past a sequence's context
  EXPECT_THROW(KvPagePool(table, 0), Error);
}

// The caches as long as the context hold the pool's pages, for `context` positions in all;
// rings stay one per slot. A sequence's bytes are its pages' rows, page by page.
TEST(KvCache, AUnifiedCacheHoldsThePoolsPagesAndARingPerSlot) {
  AttentionModel global(0, 3 * kKvPageRows + 10, 4), ring(4, 3 * kKvPageRows + 10, 4);
  const uint64_t row = AttentionModel::kKvHeads * AttentionModel::kHeadDim * sizeof(float);
  KvCache kv(global.g, global.context, 3, /*unified=*/true);
  ASSERT_NE(kv.pool(), nullptr);
  EXPECT_EQ(kv.pool()->pages(), 4);
  EXPECT_EQ(kv.bytes(), 2 * 4 * kKvPageRows * row);
  auto spans = kv.sequence_bytes(2, kKvPageRows + 5);  // takes the pages it lacks
  EXPECT_EQ(kv.pool()->held(2), 2);
  ASSERT_EQ(spans.size(), 4u);  // two caches, two pages each
  EXPECT_EQ(spans[0].size(), kKvPageRows * row);
  EXPECT_EQ(spans[1].size(), 5 * row);
  EXPECT_EQ(spans[0].data(), kv.buffers()[0].bytes.data() + kv.page_table().first_row(2, 0) * row);
  EXPECT_THROW(kv.sequence_bytes(1, 3 * kKvPageRows), Error);  // 3 more pages, 2 free
  kv.reset();
  EXPECT_EQ(kv.pool()->free_pages(), 4);
  EXPECT_EQ(KvCache(ring.g, ring.context, 3, true).bytes(), 2 * 3 * ring.cache_rows * row);
  EXPECT_EQ(KvCache(global.g, global.context, 3).bytes(), 2 * 3 * global.context * row);
}

// Three sequences taking turns in steps of a few rows each, so that their pages interleave
// in the pool: every logits row has the bits it has with a whole context per slot.
TEST(KvPagePool, AUnifiedExecutorGivesTheBitsOfCachesPerSlot) {
  AttentionModel m(0, 384, 8);  // the pool of one context holds the three sequences' 75 steps
  auto k = testing::jit_kernels(m.g);
  ExecutorOptions o;
  o.threads = 2;
  o.sequences = 3;
  o.max_logit_rows = m.step_tokens;
  Executor fixed(m.g, k.table, m.w, m.info(), o);
  o.kv_unified = true;
  Executor pooled(m.g, k.table, m.w, m.info(), o);
  ASSERT_EQ(pooled.memory().kv_bytes * 3, fixed.memory().kv_bytes);
  std::vector<std::vector<int32_t>> history(3);
  for (int step = 0; step < 75; ++step) {
    const auto s = static_cast<int32_t>(step % 3);
    auto& h = history[static_cast<size_t>(s)];
    const int64_t T = 1 + step % 5;
    std::vector<int32_t> tokens, positions, seqs(static_cast<size_t>(T), s);
    for (int64_t t = 0; t < T; ++t) {
      positions.push_back(static_cast<int32_t>(h.size()));
      h.push_back(static_cast<int32_t>((step * 7 + t * 3) % AttentionModel::kVocab));
      tokens.push_back(h.back());
    }
    const StepRows rows{tokens.data(), positions.data(), seqs.data(), T};
    const float* fixed_rows = fixed.step(rows, T);
    std::vector<float> want(fixed_rows, fixed_rows + T * AttentionModel::kVocab);
    const float* got = pooled.step(rows, T);
    ASSERT_EQ(std::memcmp(got, want.data(), want.size() * sizeof(float)), 0) << "step " << step;
  }
  EXPECT_GT(pooled.kv_cache().pool()->held(0), 1);
  // Sequence 0 holds pages away from the pool's start: its pages and the others' interleave.
  EXPECT_NE(pooled.kv_cache().page_table().first_row(0, 1), kKvPageRows);
}

TEST(KvPagePool, AStepWhoseRowsLackMorePagesThanAreFreeIsRefused) {
  AttentionModel m(0, 2 * kKvPageRows, 4);
  auto k = testing::jit_kernels(m.g);
  ExecutorOptions o;
  o.sequences = 2;
  o.kv_unified = true;
  Executor ex(m.g, k.table, m.w, m.info(), o);
  int32_t tokens[] = {1, 2};
  int32_t far[] = {kKvPageRows + 1, 0}, seqs[] = {0, 1};
  // Sequence 0 at position kKvPageRows + 1 (its rows before it written or not) takes both pages.
  ex.kv_cache().pool()->grow(0, kKvPageRows + 1);
  try {
    ex.step(StepRows{tokens, far, seqs, 2}, 1);
    FAIL() << "a step past the pool ran";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("need 1 more KV pages; the pool has 0 free of 2"), std::string::npos)
        << e.what();
  }
  ex.kv_cache().pool()->shrink(0, 0);
  EXPECT_NO_THROW(ex.step(StepRows{tokens, far + 1, seqs + 1, 1}, 1));
  EXPECT_EQ(ex.kv_cache().pool()->held(1), 1);
}

}  // namespace
}  // namespace lmc::runtime
