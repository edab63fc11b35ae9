// The generated embedding kernel against reference_embedding for f32, f16, q8_0, q8_0x16
// (a tied output projection's panels) and the blocks a file stores (q4_0 ... q5_1, iq4_nl, and
// the q4_k, q5_k, q6_k, q3_k, q2_k and iq4_xs super-blocks, decoded as ggml does) tables, odd widths (f16 tails),
// several row counts and 1 or 2 threads. The lookup and conversions are exact, so the
// comparison is too. Ids outside the table read
// its last row. As the anchor of a fusion, a scale epilogue applies to each row as it
// is written.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "codegen/kernel_compiler.h"
#include "ir/attribute.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

constexpr int64_t kVocab = 64;  // whole q8_0x16 panels of 16 rows

codegen::KernelDesc desc(ir::DType dtype, int64_t width) {
  codegen::KernelDesc d;
  d.kind = "embedding";
  d.operands = {make_type(dtype, {D(kVocab), D(width)}), make_type(ir::DType::i32, {T()})};
  d.results = {make_type(ir::DType::f32, {T(), D(width)})};
  return d;
}

// The table in the dtype's storage layout.
std::vector<uint8_t> make_table(ir::DType dtype, int64_t width, uint32_t seed) {
  auto f = random_floats(kVocab * width, seed, -2.0f, 2.0f);
  if (dtype == ir::DType::q8_0) return quantize_q8_0(f.data(), kVocab, width);
  if (dtype == ir::DType::q8_0x16) return to_panels(quantize_q8_0(f.data(), kVocab, width), dtype, kVocab, width);
  if (ggml_type_of(dtype)) return random_ggml_blocks(kVocab, width, dtype, seed);
  if (ir::is_kept_from_source(dtype)) return quantize_small(f.data(), kVocab, width, dtype);
  std::vector<uint8_t> bytes(static_cast<size_t>(ir::dtype_row_bytes(dtype, width) * kVocab));
  for (size_t i = 0; i < f.size(); ++i) {
    if (dtype == ir::DType::f32) {
      std::memcpy(&bytes[4 * i], &f[i], 4);
    } else {
      uint16_t h = f32_to_f16(f[i]);
      std::memcpy(&bytes[2 * i], &h, 2);
    }
  }
  return bytes;
}

std::vector<int32_t> make_ids(int64_t rows, uint32_t seed) {
  std::vector<int32_t> ids;
  for (int64_t t = 0; t < rows; ++t) ids.push_back(static_cast<int32_t>((seed * 7919u + t * 104729u) % kVocab));
  return ids;
}

TEST(EmbeddingKernel, MatchesReferenceForEachTableType) {
  struct Case {
    ir::DType dtype;
    int64_t width;
  };
  const Case cases[] = {
      {ir::DType::f32, 13},     {ir::DType::f32, 640},     {ir::DType::f16, 8},    {ir::DType::f16, 21},
      {ir::DType::f16, 640},    {ir::DType::q8_0, 32},     {ir::DType::q8_0, 96},  {ir::DType::q8_0, 640},
      {ir::DType::q8_0x16, 32}, {ir::DType::q8_0x16, 640}, {ir::DType::q4_0, 96},  {ir::DType::q4_1, 64},
      {ir::DType::q5_0, 640},   {ir::DType::q5_1, 32},     {ir::DType::q4_k, 256}, {ir::DType::q5_k, 512},
      {ir::DType::q6_k, 768},   {ir::DType::q3_k, 512},    {ir::DType::q2_k, 256}, {ir::DType::iq4_nl, 96},
      {ir::DType::iq4_xs, 256}, {ir::DType::mxfp4, 96}};
  uint32_t seed = 1;
  for (const auto& c : cases) {
    LoadedKernel k = load_kernel(desc(c.dtype, c.width));
    for (int64_t rows : {1, 6, 17}) {
      for (int threads : {1, 2}) {
        auto table = make_table(c.dtype, c.width, seed++);
        auto ids = make_ids(rows, seed++);
        std::vector<float> y(rows * c.width, NAN);
        int64_t syms[ir::kNumSyms] = {rows, 1};
        run_kernel(k, {table.data(), ids.data(), y.data()}, syms, threads);
        auto want = reference_embedding(table.data(), c.dtype, c.width, ids.data(), rows);
        EXPECT_EQ(mismatches(y, want, 0, 0), "")
            << ir::dtype_name(c.dtype) << " D=" << c.width << " rows=" << rows << " threads=" << threads;
      }
    }
  }
}

TEST(EmbeddingKernel, OutOfRangeIdsReadTheLastRow) {
  LoadedKernel k = load_kernel(desc(ir::DType::f32, 8));
  auto table = make_table(ir::DType::f32, 8, 5);
  std::vector<int32_t> ids{-1, kVocab, 1 << 30};
  std::vector<int32_t> last(ids.size(), kVocab - 1);
  std::vector<float> y(ids.size() * 8, NAN);
  int64_t syms[ir::kNumSyms] = {static_cast<int64_t>(ids.size()), 1};
  run_kernel(k, {table.data(), ids.data(), y.data()}, syms, 1);
  auto want = reference_embedding(table.data(), ir::DType::f32, 8, last.data(), static_cast<int64_t>(last.size()));
  EXPECT_EQ(mismatches(y, want, 0, 0), "");
}

TEST(EmbeddingKernel, ScaleEpilogueYieldsScaledAndPlainRows) {
  constexpr double kFactor = 25.298221281347036;  // sqrt(640): Gemma scales its embeddings
  struct Case {
    ir::DType dtype;
    int64_t width;
  };
  const Case cases[] = {{ir::DType::f32, 13},
                        {ir::DType::f16, 21},
                        {ir::DType::q8_0, 96},
                        {ir::DType::f16, 640},
                        {ir::DType::q8_0x16, 96}};
  uint32_t seed = 1;
  for (const auto& c : cases) {
    std::string table_type =
        std::string(ir::dtype_name(c.dtype)) + "[" + std::to_string(kVocab) + "," + std::to_string(c.width) + "]";
    std::string row = "f32[T," + std::to_string(c.width) + "]";
    LoadedKernel k = load_kernel(fusion_desc("graph @body(%t: " + table_type +
                                             ", %ids: i32[T]) {\n"
                                             "  %e = embedding %t, %ids : " +
                                             row +
                                             "\n"
                                             "  %s = scale %e {factor = " +
                                             ir::format_double(kFactor) + "} : " + row + "\n  return %s, %e\n}\n"));
    for (int64_t rows : {1, 6, 17}) {
      for (int threads : {1, 2}) {
        auto table = make_table(c.dtype, c.width, seed++);
        auto ids = make_ids(rows, seed++);
        std::vector<float> scaled(rows * c.width, NAN), plain(rows * c.width, NAN);
        int64_t syms[ir::kNumSyms] = {rows, 1};
        run_kernel(k, {table.data(), ids.data(), scaled.data(), plain.data()}, syms, threads);
        auto want = reference_embedding(table.data(), c.dtype, c.width, ids.data(), rows);
        std::string what = std::string(ir::dtype_name(c.dtype)) + " D=" + std::to_string(c.width) +
                           " rows=" + std::to_string(rows) + " threads=" + std::to_string(threads);
        EXPECT_EQ(mismatches(plain, want, 0, 0), "") << what;
        for (double& v : want) v *= kFactor;
        EXPECT_EQ(mismatches(scaled, want, 1.2e-7, 0), "") << what;  // the factor and the product rounded to f32
      }
    }
  }
}

TEST(EmbeddingKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  EXPECT_THROW(compiler.add(desc(ir::DType::q8_0, 40)), Error);  // not whole blocks
  EXPECT_THROW(compiler.add(desc(ir::DType::bf16, 8)), Error);
  auto partial_panel = desc(ir::DType::q8_0x16, 32);
  partial_panel.operands[0] = make_type(ir::DType::q8_0x16, {D(40), D(32)});
  EXPECT_THROW(compiler.add(partial_panel), Error);  // 40 rows: not whole panels of 16
  auto f32_ids = desc(ir::DType::f32, 8);
  f32_ids.operands[1].dtype = ir::DType::f32;
  EXPECT_THROW(compiler.add(f32_ids), Error);
}

}  // namespace
}  // namespace lmc::test
