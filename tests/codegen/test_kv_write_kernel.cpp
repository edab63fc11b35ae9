// The generated kv_write kernel against reference_kv_write: rows land in ring slots
// positions[t] % C of their sequence's cache, wrapping past the end of the cache, with
// the result aliasing the cache as the runtime passes it, and other slots untouched;
// one sequence or several sharing the step (the caches of all sequence slots lie back
// to back in one buffer); C static (a ring) or the symbol C (a cache as long as the
// run-time context). Exact comparison.
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
  ir::Type ids = make_type(ir::DType::i32, {T()});
  d.operands = {make_type(ir::DType::f32, {rows, D(width)}), make_type(ir::DType::f32, {T(), D(width)}), ids, ids};
  d.results = {d.operands[0]};
  return d;
}

TEST(KvWriteKernel, WritesRingSlotsOfEachRowsSequence) {
  struct Case {
    int64_t slots, width, sequences;
    std::vector<int32_t> positions, seqs;
  };
  const Case cases[] = {
      {7, 12, 1, {5, 6, 7}, {0, 0, 0}},
      {7, 12, 1, {0}, {0}},
      {7, 12, 1, {100, 101, 102, 103, 104, 105, 106}, {0, 0, 0, 0, 0, 0, 0}},
      {16, 256, 1, {13, 14, 15, 16, 17}, {0, 0, 0, 0, 0}},
      {40, 33, 3, {9, 10, 11, 0, 70, 12}, {2, 2, 2, 0, 1, 2}},  // a chunk of sequence 2 around two decodes
      {7, 12, 4, {3, 3, 3, 3}, {3, 1, 0, 2}},                   // one decode row per sequence
  };
  uint32_t seed = 1;
  for (const auto& c : cases) {
    auto rows = static_cast<int64_t>(c.positions.size());
    for (bool symbolic : {false, true}) {
      LoadedKernel k = load_kernel(desc(c.slots, c.width, symbolic));
      for (int threads : {1, 2}) {
        auto cache = random_floats(c.sequences * c.slots * c.width, seed++);
        auto x = random_floats(rows * c.width, seed++);
        std::vector<float> want_cache = cache;
        reference_kv_write(want_cache, c.slots, c.width, x.data(), rows, c.positions.data(), c.seqs.data());
        int64_t syms[ir::kNumSyms] = {rows, 1, c.slots};
        run_kernel(k,
                   {cache.data(), x.data(), const_cast<int32_t*>(c.positions.data()),
                    const_cast<int32_t*>(c.seqs.data()), cache.data()},
                   syms, threads);
        EXPECT_EQ(mismatches(cache, std::vector<double>(want_cache.begin(), want_cache.end()), 0, 0), "")
            << "C=" << c.slots << (symbolic ? " (symbol)" : "") << " W=" << c.width << " rows=" << rows
            << " sequences=" << c.sequences << " threads=" << threads;
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
  auto no_seq = desc(8, 16);
  no_seq.operands.pop_back();
  EXPECT_THROW(compiler.add(no_seq), Error);
  auto scalar_pos = desc(8, 16);
  scalar_pos.operands[2] = make_type(ir::DType::i32, {});
  EXPECT_THROW(compiler.add(scalar_pos), Error);
}

}  // namespace
}  // namespace lmc::test
