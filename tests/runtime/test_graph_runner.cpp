// GraphRunner: any graph's arguments are buffers the caller fills, every result reads back
// after a run, and the row ids the kernels trust are checked as a model step checks them.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "runtime/graph_runner.h"
#include "test_graphs.h"

namespace lmc::runtime {
namespace {

using namespace testing;

constexpr int64_t kIn = 32, kOut = 16, kTable = 10;

// %x -> %s = scale(%x, 0.5); %y = linear(%s, w) + embedding(table, %tokens): outputs %y and %s.
struct Mixed {
  ir::Graph g;
  RandomWeights w{5};
  Kernels k;
  explicit Mixed(const std::string& ids_name = "tokens") {
    ir::Builder b(g);
    ir::Value* x = g.add_arg("x", f32({T(), n(kIn)}));
    ir::Value* ids = g.add_arg(ids_name, {ir::DType::i32, {T()}});
    ir::Value* s = b.op("scale", {x}, {{"factor", 0.5}}, "s");
    ir::Value* y = b.op("linear", {s, w.param(b, "w", {kOut, kIn})}, {}, "y");
    ir::Value* e = b.op("embedding", {w.param(b, "table", {kTable, kOut}), ids}, {}, "e");
    g.set_outputs({b.op("add", {y, e}, {}, "sum"), s});
    k = jit_kernels(g);
  }
  SymbolValues syms(int64_t T) const { return {T, 1, 64}; }
};

TEST(GraphRunner, RunsAnyGraphOnTheCallersArguments) {
  Mixed m;
  const int64_t T = 3;
  GraphRunner run(m.g, m.k.table, m.w, m.syms(T), 2);
  auto* x = static_cast<float*>(run.argument(0));
  auto* tokens = static_cast<int32_t*>(run.argument(1));
  for (int64_t i = 0; i < T * kIn; ++i) x[i] = std::sin(0.1f * static_cast<float>(i));
  for (int64_t t = 0; t < T; ++t) tokens[t] = static_cast<int32_t>(kTable - 1 - t);
  run.run();
  const auto* sum = static_cast<const float*>(run.output(0));
  const auto* s = static_cast<const float*>(run.output(1));
  const auto& w = m.w.tensor("w");
  const auto& table = m.w.tensor("table");
  for (int64_t t = 0; t < T; ++t)
    for (int64_t o = 0; o < kOut; ++o) {
      double want = table[static_cast<size_t>(tokens[t] * kOut + o)];
      for (int64_t i = 0; i < kIn; ++i) want += 0.5 * x[t * kIn + i] * w[static_cast<size_t>(o * kIn + i)];
      ASSERT_NEAR(sum[t * kOut + o], want, 1e-4) << t << "," << o;
    }
  for (int64_t i = 0; i < T * kIn; ++i) ASSERT_EQ(s[i], 0.5f * x[i]);
}

TEST(GraphRunner, ChecksTheRowIdsBeforeEveryRun) {
  Mixed m;
  GraphRunner run(m.g, m.k.table, m.w, m.syms(2), 1);
  auto* tokens = static_cast<int32_t*>(run.argument(1));
  tokens[1] = kTable;
  EXPECT_THROW(run.run(), Error);
  tokens[1] = -1;
  EXPECT_THROW(run.run(), Error);
  tokens[1] = kTable - 1;
  EXPECT_NO_THROW(run.run());
}

TEST(GraphRunner, RefusesWhatItCannotCheck) {
  Mixed ids("ids");  // an i32 argument that is not a row id: nothing could bound its values
  EXPECT_THROW(GraphRunner(ids.g, ids.k.table, ids.w, ids.syms(2)), Error);
  Mixed m;
  EXPECT_THROW(GraphRunner(m.g, m.k.table, m.w, {2, 3, 64}), Error);  // L > T
  EXPECT_THROW(GraphRunner(m.g, m.k.table, m.w, {0, 1, 64}), Error);
  KernelTable empty;
  EXPECT_THROW(GraphRunner(m.g, empty, m.w, m.syms(2)), Error);
}

}  // namespace
}  // namespace lmc::runtime
