// The generated kv_write kernel against reference_kv_write: rows land in ring slots
// (pos + t) % C, wrapping past the end of the cache, with the result aliasing the
// cache as the runtime passes it, and other slots untouched; C static (a ring) or the
// symbol C (a cache as long as the run-time context). Exact comparison.
#include <gtest/gtest.h>

#include <cmath>

#include "codegen/kernel_compiler.h"
#include "ir/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

codegen::KernelDesc desc(int64_t slots, int64_t width, bool symbolic = false) {
  codegen::KernelDesc d;
  d.kind = "kv_write";
  ir::Dim rows = symbolic ? ir::Dim::symbolic(ir::Sym::C) : D(slots);
  d.operands = {make_type(ir::DType::f32, {rows, D(width)}), make_type(ir::DType::f32, {T(), D(width)}),
                make_type(ir::DType::i32, {})};
  d.results = {d.operands[0]};
  return d;
}

TEST(KvWriteKernel, WritesRingSlots) {
  struct Case { int64_t slots, width, rows; int32_t pos; };
  const Case cases[] = {{7, 12, 3, 5}, {7, 12, 1, 0}, {7, 12, 7, 100}, {16, 256, 5, 13}, {40, 33, 9, 0}};
  uint32_t seed = 1;
  for (const auto& c : cases) {
    for (bool symbolic : {false, true}) {
    LoadedKernel k = load_kernel(desc(c.slots, c.width, symbolic));
    for (int threads : {1, 2}) {
      auto cache = random_floats(c.slots * c.width, seed++);
      auto x = random_floats(c.rows * c.width, seed++);
      std::vector<float> want_cache = cache;
      reference_kv_write(want_cache, c.slots, c.width, x.data(), c.rows, c.pos);
      int64_t syms[ir::kNumSyms] = {c.rows, 1, c.slots};
      int32_t pos = c.pos;
      run_kernel(k, {cache.data(), x.data(), &pos, cache.data()}, syms, threads);
      EXPECT_EQ(mismatches(cache, std::vector<double>(want_cache.begin(), want_cache.end()), 0, 0), "")
          << "C=" << c.slots << (symbolic ? " (symbol)" : "") << " W=" << c.width << " rows=" << c.rows
          << " pos=" << c.pos << " threads=" << threads;
    }
    }
  }
}

TEST(KvWriteKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  auto narrow = desc(8, 16);
  narrow.operands[1] = make_type(ir::DType::f32, {T(), D(15)});
  EXPECT_THROW(compiler.add(narrow), Error);
  auto symbolic_cache = desc(8, 16);
  symbolic_cache.operands[0] = symbolic_cache.results[0] = make_type(ir::DType::f32, {T(), D(16)});
  EXPECT_THROW(compiler.add(symbolic_cache), Error);
}

}  // namespace
}  // namespace lmc::test
