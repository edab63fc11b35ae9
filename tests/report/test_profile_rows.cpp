// Each kernel's share of the step, from the profiler's node timings: decode steps when
// there are any, calls and time summed per kernel, the largest share first.
#include "driver/report/profile_rows.h"

#include <gtest/gtest.h>

#include "ir/parser.h"

namespace lmc::report {
namespace {

constexpr const char* kGraph = R"(graph @g(%x: f32[T,4]) {
  %a = add %x, %x : f32[T,4]
  %m = mul %a, %x : f32[T,4]
  return %m
}
)";

// One step of T rows in which node 0 runs `a_ns` and node 1 `m_ns` (the step's own span
// is the clock's, read by begin_step and end_step).
void record(runtime::Profiler& p, int64_t T, int64_t a_ns, int64_t m_ns) {
  p.begin_step(T, 1, 0);
  p.record_node(0, 0, a_ns, 0);
  p.record_node(1, a_ns, a_ns + m_ns, 0);
  p.end_step();
}

TEST(ProfileRows, SharesOfTheDecodeSteps) {
  auto g = ir::parse(kGraph, "g.lir");
  std::vector<const ir::Op*> ops;
  for (const auto& op : g->ops()) ops.push_back(op.get());
  runtime::Profiler p(runtime::Profiler::classify(ops, {"k_add", "k_mul"}), 1);
  record(p, 7, 9'000'000, 9'000'000);  // a prefill step: left out
  record(p, 1, 1'000, 3'000);
  record(p, 1, 1'000, 3'000);
  ProfileTable t = profile_rows(p);
  ASSERT_EQ(t.rows.size(), 2u);
  EXPECT_EQ(t.rows[0].symbol, "k_mul");
  EXPECT_EQ(t.rows[0].op, "mul");
  EXPECT_EQ(t.rows[0].calls, 2);
  EXPECT_DOUBLE_EQ(t.rows[0].milliseconds, 0.006);
  EXPECT_EQ(t.rows[1].symbol, "k_add");
  EXPECT_GT(t.rows[0].share, t.rows[1].share);
  EXPECT_NE(t.note.find("2 decode steps (T = 1)"), std::string::npos) << t.note;
}

}  // namespace
}  // namespace lmc::report
