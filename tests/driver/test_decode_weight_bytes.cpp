// What `lmc bench` counts as read per decode token (driver::decode_weight_bytes): every
// weight whole, a gathered table's one row, and of experts' stacked weights the k of E a
// row's router picks.
#include <gtest/gtest.h>

#include "driver/benchmark.h"
#include "ir/parser.h"

namespace lmc::test {
namespace {

TEST(DecodeWeightBytes, ExpertsCountTheirActiveShare) {
  auto g = ir::parse(R"(graph @moe(%tokens: i32[T]) {
  %emb = param {name = "emb"} : f32[100,64]
  %x = embedding %emb, %tokens : f32[T,64]
  %wr = param {name = "router"} : f32[8,64]
  %logits = linear %x, %wr : f32[T,8]
  %ids, %gates = moe_route %logits {k = 2, scoring = "softmax"} : i32[T,2], f32[T,2]
  %wg = param {name = "gate_exps"} : f32[8,32,64]
  %g = expert_linear %x, %wg, %ids : f32[T,2,32]
  %wd = param {name = "down_exps"} : f32[8,64,32]
  %d = expert_linear %g, %wd, %ids : f32[T,2,64]
  %y = expert_sum %d, %gates : f32[T,64]
  return %y
}
)");
  const double row = 64 * 4, router = 8 * 64 * 4, experts = 2 * (8 * 32 * 64 * 4) * 2.0 / 8;
  EXPECT_DOUBLE_EQ(driver::decode_weight_bytes(*g), row + router + experts);
}

}  // namespace
}  // namespace lmc::test
