// The generated kv_write kernel against reference_kv_write: rows land in ring slots
// positions[t] % C of their sequence's cache, wrapping past the end of the cache, with
// the result aliasing the cache as the runtime passes it, and other slots untouched;
// one sequence or several sharing the step (the caches of all sequence slots lie back
// to back in one buffer); C static (a ring) or the symbol C (a cache as long as the
// run-time context, so paged: here in the fixed layout of the page table, positions below
// C); caches of f32,
// f16 (rounded to nearest even) and q8_0 blocks (quantized as ggml's reference quantizer).
// Paged caches through a scrambled page table: each row lands in its page wherever the
// table puts it, and the pool's other pages stay untouched. Exact comparison of the
// cache's bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "codegen/kernel_compiler.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/paged_caches.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

codegen::KernelDesc desc(int64_t slots, int64_t width, bool symbolic = false, ir::DType dtype = ir::DType::f32) {
  codegen::KernelDesc d;
  d.kind = "kv_write";
  ir::Dim rows = symbolic ? ir::Dim::symbolic(ir::Sym::C) : D(slots);
  ir::Type ids = make_type(ir::DType::i32, {T()});
  d.operands = {make_type(dtype, {rows, D(width)}), make_type(ir::DType::f32, {T(), D(width)}), ids, ids};
  d.results = {d.operands[0]};
  return d;
}

// The index of the first byte that differs, or "" when none does.
std::string first_difference(const std::vector<uint8_t>& got, const std::vector<uint8_t>& want) {
  for (size_t i = 0; i < got.size(); ++i)
    if (got[i] != want[i]) return "byte " + std::to_string(i) + " of " + std::to_string(got.size());
  return "";
}

TEST(KvWriteKernel, WritesRingSlotsOfEachRowsSequence) {
  struct Case {
    int64_t slots, width, sequences;
    std::vector<int32_t> positions, seqs;
  };
  const Case cases[] = {
      {7, 12, 1, {5, 6, 7}, {0, 0, 0}},
      {7, 12, 1, {0}, {0}},
      {7, 64, 1, {100, 101, 102, 103, 104, 105, 106}, {0, 0, 0, 0, 0, 0, 0}},
      {16, 256, 1, {13, 14, 15, 16, 17}, {0, 0, 0, 0, 0}},
      {40, 33, 3, {9, 10, 11, 0, 70, 12}, {2, 2, 2, 0, 1, 2}},  // a chunk of sequence 2 around two decodes
      {40, 96, 3, {9, 10, 11, 0, 70, 12}, {2, 2, 2, 0, 1, 2}},
      {7, 32, 4, {3, 3, 3, 3}, {3, 1, 0, 2}},                   // one decode row per sequence
      {150, 32, 3, {63, 64, 65, 0, 149, 100}, {2, 2, 2, 0, 1, 0}},  // rows on both sides of a page's end
  };
  uint32_t seed = 1;
  for (ir::DType dtype : {ir::DType::f32, ir::DType::f16, ir::DType::q8_0}) {
    for (const auto& c : cases) {
      if (c.width % ir::dtype_block_elems(dtype)) continue;
      auto rows = static_cast<int64_t>(c.positions.size());
      int64_t row_bytes = ir::dtype_row_bytes(dtype, c.width);
      // A paged cache (the symbol C) holds positions below C only: the runtime checks them.
      const bool fits = *std::max_element(c.positions.begin(), c.positions.end()) < c.slots;
      for (bool symbolic : {false, true}) {
        if (symbolic && !fits) continue;
        LoadedKernel k = load_kernel(desc(c.slots, c.width, symbolic, dtype));
        for (int threads : {1, 2}) {
          auto noise = random_floats(c.sequences * c.slots * row_bytes / 4 + 1, seed++);
          std::vector<uint8_t> cache(static_cast<size_t>(c.sequences * c.slots * row_bytes));
          std::memcpy(cache.data(), noise.data(), cache.size());
          // Values up to 300: f16 rounds them to steps of up to 0.25. The first row is
          // zero, a q8_0 block without a scale; in the second each block's scale is 1 and
          // the other values are halves, ties that q8_0 rounds away from zero.
          auto x = random_floats(rows * c.width, seed++, -300.0f, 300.0f);
          std::fill(x.begin(), x.begin() + c.width, 0.0f);
          for (int64_t i = 0; rows > 1 && i < c.width; ++i)
            x[static_cast<size_t>(c.width + i)] = i % 32 == 0 ? 127.0f : static_cast<float>(i % 7) - 3.5f;
          std::vector<uint8_t> want = cache;
          reference_kv_write(want, dtype, c.slots, c.width, x.data(), rows, c.positions.data(), c.seqs.data());
          int64_t syms[ir::kNumSyms] = {rows, 1, c.slots};
          PagedCaches fixed(c.sequences, c.slots);
          run_kernel(k,
                     {cache.data(), x.data(), const_cast<int32_t*>(c.positions.data()),
                      const_cast<int32_t*>(c.seqs.data()), cache.data(), fixed.table()},
                     syms, threads);
          EXPECT_EQ(first_difference(cache, want), "")
              << ir::dtype_name(dtype) << " C=" << c.slots << (symbolic ? " (symbol)" : "") << " W=" << c.width
              << " rows=" << rows << " sequences=" << c.sequences << " threads=" << threads;
        }
      }
    }
  }
}

TEST(KvWriteKernel, PagedCachesThroughAScrambledPageTable) {
  // 200 positions: 4 pages, the last one partly used; rows on both sides of page edges.
  constexpr int64_t kContext = 200, kSequences = 3, kWidth = 64;
  const std::vector<int32_t> positions = {63, 64, 65, 130, 199, 0, 127, 128};
  const std::vector<int32_t> seqs = {1, 1, 1, 0, 2, 2, 0, 0};
  const auto rows = static_cast<int64_t>(positions.size());
  // Positions must be consecutive per sequence only for the runtime's checks, not here:
  // the kernel writes each row where its position says.
  uint32_t seed = 40;
  for (ir::DType dtype : {ir::DType::f32, ir::DType::f16, ir::DType::q8_0}) {
    const int64_t row_bytes = ir::dtype_row_bytes(dtype, kWidth);
    LoadedKernel k = load_kernel(desc(kContext, kWidth, true, dtype));
    for (int threads : {1, 2}) {
      PagedCaches pages(kSequences, kContext, 3, seed);
      auto noise = random_floats(kSequences * kContext * row_bytes / 4, seed++);
      std::vector<uint8_t> caches(static_cast<size_t>(kSequences * kContext * row_bytes));
      std::memcpy(caches.data(), noise.data(), caches.size());
      auto x = random_floats(rows * kWidth, seed++, -300.0f, 300.0f);
      std::vector<uint8_t> want = caches;
      reference_kv_write(want, dtype, kContext, kWidth, x.data(), rows, positions.data(), seqs.data());
      std::vector<uint8_t> pool = pages.to_pool(caches, row_bytes);
      int64_t syms[ir::kNumSyms] = {rows, 1, kContext};
      run_kernel(k,
                 {pool.data(), x.data(), const_cast<int32_t*>(positions.data()), const_cast<int32_t*>(seqs.data()),
                  pool.data(), pages.table()},
                 syms, threads);
      EXPECT_EQ(first_difference(pages.from_pool(pool, row_bytes), want), "")
          << ir::dtype_name(dtype) << " threads=" << threads;
      EXPECT_TRUE(pages.unused_rows_untouched(pool, row_bytes)) << ir::dtype_name(dtype) << " threads=" << threads;
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
  EXPECT_PRED2(contains, add_error(desc(8, 48, false, ir::DType::q8_0)), "whole q8_0 blocks");
  EXPECT_PRED2(contains, add_error(desc(8, 32, false, ir::DType::bf16)), "f32, f16 or whole q8_0 blocks");
  auto f16_input = desc(8, 32, false, ir::DType::f16);
  f16_input.operands[1] = make_type(ir::DType::f16, {T(), D(32)});
  EXPECT_PRED2(contains, add_error(f16_input), "must be f32");
}

}  // namespace
}  // namespace lmc::test
