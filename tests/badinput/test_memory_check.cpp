// The memory check lmc run and lmc bench make before allocating: the estimate from a
// graph, and the refusal naming the model and the numbers.
#include <gtest/gtest.h>

#include "driver/memory_check.h"
#include "ir/parser.h"
#include "support/error.h"

namespace lmc::driver {
namespace {

// A 16-wide model with one KV cache of 64 rows and a tied 32-token embedding.
const char* kGraph = R"(graph @m(%tokens: i32[T], %positions: i32[T], %seq: i32[T], %kc_in: f32[64,16]) {
  %emb = param {name = "token_embd.weight"} : f32[32,16]
  %x = embedding %emb, %tokens : f32[T,16]
  %kc = kv_write %kc_in, %x, %positions, %seq : f32[64,16]
  %t = tail_rows %x : f32[L,16]
  %logits = linear %t, %emb : f32[L,32]
  return %logits, %kc
}
)";

ir::ModelInfo info(int64_t context, int64_t step_tokens) {
  ir::ModelInfo i;
  i.name = "m";
  i.context = context;
  i.step_tokens = step_tokens;
  return i;
}

TEST(MemoryCheck, EstimatesWeightsOnceKvCachesAndTheArena) {
  auto g = ir::parse(kGraph, "m.lir");
  MemoryNeed need = estimate_memory(*g, info(64, 8));
  EXPECT_EQ(need.weight_bytes, 32 * 16 * 4);  // one param, read twice
  EXPECT_EQ(need.kv_bytes, 64 * 16 * 4);
  EXPECT_GE(need.arena_bytes, 8 * 16 * 4);    // at least x at T = step_tokens
  EXPECT_EQ(need.total(), need.weight_bytes + need.kv_bytes + need.arena_bytes);
}

TEST(MemoryCheck, RefusesWithTheNumbersWhenTheNeedExceedsWhatIsAvailable) {
  MemoryNeed need{2e9, 1e6, 510e9};
  try {
    check_memory_fits(need, uint64_t{16'000'000'000}, info(1 << 20, 512), "big.lmc");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "big.lmc: error: needs 512.0 GB of memory (weights 2.0 GB, arena 1.0 MB, KV cache 510.0 GB at "
                 "context 1048576), 16.0 GB available");
  }
}

TEST(MemoryCheck, PassesWhenItFitsOrAvailabilityIsUnknown) {
  MemoryNeed need{1e9, 1e6, 1e9};
  EXPECT_NO_THROW(check_memory_fits(need, uint64_t{4'000'000'000}, info(4096, 512), "m.lmc"));
  EXPECT_NO_THROW(check_memory_fits(need, std::nullopt, info(4096, 512), "m.lmc"));
}

TEST(MemoryCheck, ReadsMemAvailable) {
  auto available = available_memory();
  ASSERT_TRUE(available.has_value());  // every Linux since 3.14 reports it
  EXPECT_GT(*available, 0u);
}

}  // namespace
}  // namespace lmc::driver
