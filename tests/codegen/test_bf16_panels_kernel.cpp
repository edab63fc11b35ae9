// The bf16 tile GEMM's weight decode (codegen/llvm/linear/bf16_weights.h), alone through the
// bf16_panels kernel: every block type a Q4_K_M, Q5_K_M or Q8_0 file holds decodes to each
// weight's exact f32 value (ggml's dequantization, reference_kernels.h) rounded to the
// nearest bf16, ties to even, bit for bit, in the B tiles' layout; a ragged last column
// pair repeats the last panel (or column). On this host's own ISA: the AVX-512 BF16
// conversion where it has one (as every host with the tile unit does), else the integer
// rounding (an AVX2 host; compiling the 16 x 16 transposes for AVX2 is slow, so only once).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "codegen/target.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/linear_case.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

uint16_t bf16_nearest_even(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return static_cast<uint16_t>((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
}

codegen::KernelDesc panels_desc(ir::DType wtype, int64_t N, int64_t K) {
  codegen::KernelDesc d;
  d.kind = "bf16_panels";
  d.operands = {make_type(wtype, {D(N), D(K)})};
  d.results = {make_type(ir::DType::bf16, {D((N + 31) / 32 * 32), D(K)})};
  return d;
}

// The decoded bf16 of column n (the last one past N), k, as the B tiles hold it.
uint16_t tile_value(const std::vector<uint16_t>& out, int64_t K, int64_t n, int64_t k) {
  const int64_t pair = n / 32, h = n % 32 / 16, c = n % 16, step = k / 32, row = k % 32 / 2;
  return out[static_cast<size_t>(pair * 32 * K + (step * 2 + h) * 512 + row * 32 + c * 2 + k % 2)];
}

// The column a B tile's lane n holds: past N, a panel type's last panel again, a row-major
// type's last column.
int64_t decoded_column(ir::DType w, int64_t N, int64_t n) {
  if (n < N) return n;
  const int64_t panel = ir::dtype_panel_rows(w);
  return panel > 1 ? N - panel + n % panel : N - 1;
}

void decodes_exactly(const codegen::TargetSpec& target) {
  const ir::DType types[] = {ir::DType::q4_kx16, ir::DType::q5_kx16, ir::DType::q8_0x16,
                             ir::DType::q4_0x16, ir::DType::q5_1x16, ir::DType::q6_k,
                             ir::DType::q4_k,    ir::DType::q8_0,    ir::DType::q6_kx16};
  for (ir::DType w : types)
    for (int64_t N : {int64_t{32}, int64_t{48}}) {
      const int64_t K = ir::dtype_block_elems(w) == 256 ? 512 : 96;
      const LinearCase c{w, K, N, Prologue::None, "", false, false, ""};
      LinearData data(c, 1, 41);
      LoadedKernel k = load_kernel(panels_desc(w, N, K), target, false);
      const int64_t cols = (N + 31) / 32 * 32;
      // The B tiles' rows are stored 64-byte aligned, as the runtime's buffers are.
      std::vector<uint16_t> storage(static_cast<size_t>(cols * K + 32), 0xFFFF);
      void* aligned = storage.data();
      size_t space = storage.size() * 2;
      std::align(64, static_cast<size_t>(cols * K * 2), aligned, space);
      void* args[] = {const_cast<void*>(data.weights()), aligned};
      int64_t syms[ir::kNumSyms] = {1, 1};
      k.fn(args, syms, 0, k.info.items(syms));
      const uint16_t* first = static_cast<const uint16_t*>(aligned);
      const std::vector<uint16_t> out(first, first + cols * K);
      int bad = 0;
      for (int64_t n = 0; n < cols && bad < 3; ++n) {
        const std::vector<float> row = weight_row(data.weights(), w, K, decoded_column(w, N, n));
        for (int64_t kk = 0; kk < K && bad < 3; ++kk)
          if (tile_value(out, K, n, kk) != bf16_nearest_even(row[static_cast<size_t>(kk)])) {
            ++bad;
            ADD_FAILURE() << ir::dtype_name(w) << " N=" << N << " column " << n << " k " << kk << ": 0x" << std::hex
                          << tile_value(out, K, n, kk) << " vs 0x" << bf16_nearest_even(row[static_cast<size_t>(kk)])
                          << std::dec << " (" << row[static_cast<size_t>(kk)] << ") on " << target.str();
          }
      }
    }
}

TEST(Bf16PanelsKernel, DecodesEveryWeightToItsNearestBf16OnThisHost) {
  decodes_exactly(codegen::resolve_target({true, "", ""}));
}

TEST(Bf16PanelsKernel, RefusesWhatItCannotDecode) {
  codegen::KernelDesc f32 = panels_desc(ir::DType::f32, 32, 64);
  EXPECT_THROW(load_kernel(f32, codegen::baseline_target(), false), Error);
  codegen::KernelDesc wrong = panels_desc(ir::DType::q8_0, 40, 64);
  wrong.results[0] = make_type(ir::DType::bf16, {D(40), D(64)});
  EXPECT_THROW(load_kernel(wrong, codegen::baseline_target(), false), Error);
}

}  // namespace
}  // namespace lmc::test
