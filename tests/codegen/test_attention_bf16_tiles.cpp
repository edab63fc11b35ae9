// The attention kernel's AMX-BF16 tiles (codegen/llvm/attention_bf16.h), taken by prompts
// of 64 rows or more, against reference_attention, run through LLVM's scalarization of the
// tile intrinsics (codegen/llvm/scalar_tiles.h) on hosts without the tiles: scores, masks
// (causal, a window, softcap, bidirectional), the running softmax over several blocks and
// value sums, at head_dims of whole 32s and at head_dims the tiles pad with zero dims
// (SigLIP's 72, 40, 80). The kernels compile at O0 and run slowly: the cases are small.
// Inputs whose values are bf16 already, and a power-of-two scale: the tiles then round
// nothing of the queries (times the scale), keys and values, and differ from the reference
// only by the weights' rounding to bf16 (2^-9 of a weight: 2^-9 of max|v| = 1 in an
// output) and f32 sums, so that a wrong padded dim shows far above the tolerance.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "tests/codegen/attention_case.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

void truncate_to_bf16(std::vector<float>& v) {
  for (float& x : v) {
    uint32_t u;
    std::memcpy(&u, &x, 4);
    u &= 0xFFFF0000u;
    std::memcpy(&x, &u, 4);
  }
}

// The power of two nearest 1 / sqrt(head_dim): the scale the tiles' cases attend with.
double scale_of(const Case& c) { return std::exp2(std::round(-0.5 * std::log2(static_cast<double>(c.head_dim)))); }

LoadedKernel tiles_kernel(const Case& c) {
  codegen::KernelDesc d = asking_prefill(desc(c), ir::PrefillKernel::Bf16Tiles);
  d.attrs["scale"] = scale_of(c);
  return load_kernel(d, host_with_bf16_tiles(), true);
}

// Case c's kernel k checked on `rows` (f32 caches) at 1 thread, and at 2 when `two_threads`.
void check_tiles(const Case& c, const LoadedKernel& k, Rows rows, uint32_t seed, bool two_threads) {
  Inputs in = inputs(c, rows, seed);
  in.ref.scale = scale_of(c);
  truncate_to_bf16(in.q);
  for (StoredCache* cache : {&in.kc, &in.vc}) {
    truncate_to_bf16(cache->values);
    std::memcpy(cache->bytes.data(), cache->values.data(), cache->values.size() * sizeof(float));
  }
  auto want = reference_attention(in.ref);
  int64_t syms[ir::kNumSyms] = {rows.count(), 1, c.slots};
  for (int threads = 1; threads <= (two_threads ? 2 : 1); ++threads) {
    std::vector<float> o(in.q.size(), NAN);
    run_kernel(k, in.args(rows, o), syms, threads);
    EXPECT_EQ(mismatches(o, want, 1e-5, 3e-3), "")
        << "Hq=" << c.heads << " Hk=" << c.kv_heads << " hd=" << c.head_dim << " window=" << c.window
        << " softcap=" << c.softcap << (c.bidirectional ? " bidirectional" : " causal") << " T=" << rows.count()
        << " first position " << rows.positions[0] << " threads=" << threads;
  }
}

TEST(AttentionBf16Tiles, LongPromptsAtWholeThirtyTwosOfDims) {
  on_large_stacks([] {
    uint32_t seed = 900;
    for (const Case& c :
         {Case{8, 2, 64, 0, 400, 0.0}, Case{4, 1, 256, 0, 400, 5.0, true}, Case{4, 4, 64, 100, 400, 0.0}}) {
      LoadedKernel k = tiles_kernel(c);
      check_tiles(c, k, run_of(64, 0), seed++, false);
      // Two threads where the rows are ragged (137), so their split is tested where it is hardest.
      check_tiles(c, k, run_of(137, 200), seed++, true);
    }
  });
}

// Head dims off whole 32s, causal from a later position (keys over three blocks) and
// bidirectional (every row reading 100 keys, over two blocks), plain multi-head and GQA.
TEST(AttentionBf16Tiles, HeadDimsPaddedToWholeThirtyTwos) {
  on_large_stacks([] {
    uint32_t seed = 1400;
    for (const Case& shape : {Case{2, 2, 72, 0, 200, 0.0}, Case{4, 2, 40, 0, 200, 0.0}, Case{2, 1, 80, 0, 200, 0.0}}) {
      Case c = shape;
      check_tiles(c, tiles_kernel(c), run_of(64, 100), seed++, false);
      c.bidirectional = true;
      check_tiles(c, tiles_kernel(c), run_of(100, 0), seed++, c.head_dim == 72);
    }
  });
}

}  // namespace
}  // namespace lmc::test
