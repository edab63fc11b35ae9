#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <numeric>
#include <random>

#include "attention_graph.h"
#include "ir/parser.h"
#include "runtime/executor.h"
#include "runtime/kv_cache.h"

namespace lmc::runtime {
namespace {

using testing::AttentionModel;

// Drives steps of 1..3 rows far past the cache's row count, so a sliding-window
// layer's ring wraps several times, and compares every row with the reference.
void run_and_compare(AttentionModel& m, int threads) {
  auto k = testing::jit_kernels(m.g);
  ExecutorOptions o;
  o.threads = threads;
  o.max_logit_rows = m.step_tokens;
  Executor ex(m.g, k.table, m.w, m.info(), o);
  EXPECT_EQ(ex.memory().kv_bytes, static_cast<uint64_t>(2 * m.cache_rows * AttentionModel::kKvHeads *
                                                        AttentionModel::kHeadDim * sizeof(float)));
  std::vector<int32_t> history;
  int64_t pos = 0;
  for (int64_t step = 0; pos < m.context; ++step) {
    int64_t T = std::min<int64_t>(1 + step % m.step_tokens, m.context - pos);
    for (int64_t t = 0; t < T; ++t) history.push_back(static_cast<int32_t>((pos + t) * 7 % AttentionModel::kVocab));
    const float* rows = ex.step(history.data() + pos, T, pos, T);
    for (int64_t t = 0; t < T; ++t) {
      auto want = m.reference(history, pos + t);
      for (size_t d = 0; d < want.size(); ++d)
        ASSERT_NEAR(rows[t * AttentionModel::kVocab + d], want[d], 2e-5)
            << "position " << pos + t << " (ring slot " << (pos + t) % m.cache_rows << "), column " << d;
    }
    pos += T;
  }
  EXPECT_GT(pos, 3 * m.cache_rows);
}

TEST(KvRing, SlidingWindowWrapsAround) {
  AttentionModel m(/*window=*/4, /*context=*/40, /*step_tokens=*/3);
  ASSERT_EQ(m.cache_rows, 7);
  run_and_compare(m, 1);
}

TEST(KvRing, SlidingWindowWrapsAroundAtTwoThreads) {
  AttentionModel m(5, 48, 3);
  run_and_compare(m, 2);
}

TEST(KvRing, GlobalLayerSeesEveryPosition) {
  AttentionModel m(/*window=*/0, /*context=*/12, /*step_tokens=*/3);
  auto k = testing::jit_kernels(m.g);
  Executor ex(m.g, k.table, m.w, m.info(), {});
  std::vector<int32_t> history;
  for (int64_t pos = 0; pos < m.context; ++pos) {
    history.push_back(static_cast<int32_t>(pos * 5 % AttentionModel::kVocab));
    const float* row = ex.step(&history[pos], 1, pos, 1);
    auto want = m.reference(history, pos);
    for (size_t d = 0; d < want.size(); ++d) ASSERT_NEAR(row[d], want[d], 2e-5) << "position " << pos;
  }
}

// The cache of a global layer is C rows, C chosen when the executor is made: the same
// graph and kernels run at two contexts give the same rows, with caches of their sizes.
TEST(KvRing, GlobalLayerCacheLengthIsChosenAtRunTime) {
  AttentionModel m(/*window=*/0, /*context=*/12, /*step_tokens=*/3);
  auto k = testing::jit_kernels(m.g);
  std::vector<std::vector<float>> rows[2];
  for (int i = 0; i < 2; ++i) {
    ir::ModelInfo info = m.info();
    info.context = i == 0 ? 12 : 4096;
    Executor ex(m.g, k.table, m.w, info, {});
    EXPECT_EQ(ex.memory().kv_bytes, static_cast<uint64_t>(2 * info.context * AttentionModel::kKvHeads *
                                                          AttentionModel::kHeadDim * sizeof(float)));
    std::vector<int32_t> history;
    for (int64_t pos = 0; pos < 12; ++pos) {
      history.push_back(static_cast<int32_t>(pos * 5 % AttentionModel::kVocab));
      const float* row = ex.step(&history[pos], 1, pos, 1);
      rows[i].emplace_back(row, row + AttentionModel::kVocab);
    }
    if (i == 0) {
      EXPECT_THROW(ex.step(history.data(), 1, 12, 1), Error);  // past the context
    }
  }
  EXPECT_EQ(rows[0], rows[1]);
}

// Sequences sharing steps: each step carries one row of every decoding sequence and,
// now and then, a prefill chunk of another, in a shuffled row order; every row must
// equal the reference over its own sequence's history, while the rings wrap.
void run_sequences(AttentionModel& m, int64_t sequences, int threads, uint32_t seed) {
  auto k = testing::jit_kernels(m.g);
  ExecutorOptions o;
  o.threads = threads;
  o.max_logit_rows = m.step_tokens;
  o.sequences = sequences;
  Executor ex(m.g, k.table, m.w, m.info(), o);
  std::vector<std::vector<int32_t>> history(static_cast<size_t>(sequences));
  std::mt19937 rng(seed);
  int64_t checked = 0;
  for (int step = 0; step < 60; ++step) {
    std::vector<int32_t> tokens, positions, seqs;
    // Sequence `chunk` takes up to the rows the others leave; the rest decode a row each.
    auto chunk = static_cast<int32_t>(rng() % sequences);
    std::vector<int32_t> order(static_cast<size_t>(sequences));
    std::iota(order.begin(), order.end(), 0);
    std::shuffle(order.begin(), order.end(), rng);
    for (int32_t s : order) {
      auto& h = history[static_cast<size_t>(s)];
      int64_t rows = s == chunk ? 1 + static_cast<int64_t>(rng() % (m.step_tokens - sequences + 1)) : 1;
      rows = std::min<int64_t>(rows, m.context - static_cast<int64_t>(h.size()));
      for (int64_t r = 0; r < rows; ++r) {
        positions.push_back(static_cast<int32_t>(h.size()));
        h.push_back(static_cast<int32_t>((rng() % AttentionModel::kVocab)));
        tokens.push_back(h.back());
        seqs.push_back(s);
      }
    }
    auto T = static_cast<int64_t>(tokens.size());
    if (T == 0) break;
    const float* rows = ex.step(StepRows{tokens.data(), positions.data(), seqs.data(), T}, T);
    for (int64_t t = 0; t < T; ++t) {
      auto want = m.reference(history[static_cast<size_t>(seqs[t])], positions[t]);
      for (size_t d = 0; d < want.size(); ++d)
        ASSERT_NEAR(rows[t * AttentionModel::kVocab + d], want[d], 2e-5)
            << "step " << step << " row " << t << ": sequence " << seqs[t] << " position " << positions[t];
      ++checked;
    }
  }
  EXPECT_GT(checked, 60 * sequences / 2);
}

TEST(KvRing, SequencesSharingStepsEachSeeTheirOwnHistory) {
  for (int64_t window : {0, 4}) {
    for (int64_t sequences : {1, 3, 8}) {
      AttentionModel m(window, /*context=*/64, /*step_tokens=*/sequences + 4);
      run_sequences(m, sequences, 2, static_cast<uint32_t>(window * 10 + sequences));
    }
  }
}

// A step's rows must name a sequence slot the executor has, and a sequence's rows
// must hold consecutive positions: the kernels trust both.
TEST(KvRing, StepRowsAreChecked) {
  AttentionModel m(0, 16, 4);
  auto k = testing::jit_kernels(m.g);
  ExecutorOptions o;
  o.sequences = 2;
  Executor ex(m.g, k.table, m.w, m.info(), o);
  int32_t tokens[] = {1, 2, 3};
  auto step = [&](std::vector<int32_t> positions, std::vector<int32_t> seqs) -> std::string {
    try {
      ex.step(StepRows{tokens, positions.data(), seqs.data(), static_cast<int64_t>(positions.size())}, 1);
      return "";
    } catch (const Error& e) {
      return e.what();
    }
  };
  EXPECT_EQ(step({0, 0}, {0, 1}), "");
  EXPECT_NE(step({1, 1}, {0, 2}).find("row 1: sequence 2 is not one of the 2 sequence slots"), std::string::npos);
  EXPECT_NE(step({1, 3}, {0, 0}).find("row 1: position 3 of sequence 0 does not follow its previous row's (1)"),
            std::string::npos);
  EXPECT_NE(step({16}, {1}).find("row 0: position 16 does not fit the context of 16 tokens"), std::string::npos);
  EXPECT_NE(step({-1}, {0}).find("row 0: position -1"), std::string::npos);
}

// One zeroed buffer per cache argument, shaped as declared, times the sequence slots;
// reset() zeroes them again.
TEST(KvCache, BuffersFollowTheCacheArguments) {
  AttentionModel m(4, 16, 3);
  KvCache kv(m.g, m.context, 3);
  ASSERT_EQ(kv.buffers().size(), 2u);
  EXPECT_EQ(kv.sequences(), 3);
  const uint64_t bytes = 3 * 7 * AttentionModel::kKvHeads * AttentionModel::kHeadDim * sizeof(float);
  EXPECT_EQ(kv.bytes(), 2 * bytes);
  for (const auto& b : kv.buffers()) {
    EXPECT_EQ(b.bytes.bytes(), bytes);
    EXPECT_EQ(kv.find(b.arg), b.bytes.data());
    EXPECT_TRUE(std::all_of(b.bytes.data(), b.bytes.data() + bytes, [](std::byte x) { return x == std::byte{0}; }));
    std::memset(b.bytes.data(), 0x5a, bytes);
  }
  EXPECT_EQ(kv.find(m.g.arg("tokens")), nullptr);
  kv.reset();
  for (const auto& b : kv.buffers())
    EXPECT_TRUE(std::all_of(b.bytes.data(), b.bytes.data() + bytes, [](std::byte x) { return x == std::byte{0}; }));
}

// A cache's buffer holds rows of its dtype: f16 halves f32's bytes, q8_0 takes 34 bytes
// per 32 values (keys and values may differ).
TEST(KvCache, BuffersAreSizedByTheCacheDtype) {
  auto g = ir::parse(
      "graph @caches(%positions: i32[T], %seq: i32[T], %x: f32[T,64], %kc_in: f16[C,64], %vc_in: q8_0[24,64]) {\n"
      "  %kc = kv_write %kc_in, %x, %positions, %seq : f16[C,64]\n"
      "  %vc = kv_write %vc_in, %x, %positions, %seq : q8_0[24,64]\n"
      "  return %kc, %vc\n"
      "}\n");
  KvCache kv(*g, /*context=*/10, /*sequences=*/2);
  ASSERT_EQ(kv.buffers().size(), 2u);
  EXPECT_EQ(kv.buffers()[0].bytes.bytes(), 2u * 10 * 64 * 2);
  EXPECT_EQ(kv.buffers()[1].bytes.bytes(), 2u * 24 * 2 * 34);
  EXPECT_EQ(kv.bytes(), 2u * 10 * 64 * 2 + 2u * 24 * 2 * 34);
}

}  // namespace
}  // namespace lmc::runtime
