// Fusion regions without an anchor, generated as one loop over rows
// (codegen/llvm/emit_fused_rows.cpp): add -> rms_norm yielding both the sum and its norm
// (a residual stream), a bias before a per-head norm (reduction groups shorter than
// the row, next to a vector as long as the row), act(gate) * up read from one gate|up
// row. Against the plain reference kernels over odd widths, several row counts and
// 1 or 2 threads; and the regions such a loop cannot run.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

std::string rows_of(int64_t width) { return "f32[T," + std::to_string(width) + "]"; }

TEST(FusedRowsKernel, AddThenRmsNormYieldsBoth) {
  uint32_t seed = 1;
  for (int64_t width : {7, 64, 640, 1000}) {
    std::string row = rows_of(width);
    LoadedKernel k =
        load_kernel(fusion_desc("graph @body(%x: " + row + ", %r: " + row + ", %g: f32[" + std::to_string(width) +
                                "]) {\n"
                                "  %h = add %x, %r : " +
                                row +
                                "\n"
                                "  %n = rms_norm %h, %g {eps = 1e-6} : " +
                                row +
                                "\n"
                                "  return %h, %n\n}\n"));
    for (int64_t rows : {1, 4, 13}) {
      for (int threads : {1, 2}) {
        auto x = random_floats(rows * width, seed++, -3.0f, 3.0f);
        auto r = random_floats(rows * width, seed++, -3.0f, 3.0f);
        auto g = random_floats(width, seed++);
        std::vector<float> h(x.size(), NAN), n(x.size(), NAN);
        int64_t syms[ir::kNumSyms] = {rows, 1};
        run_kernel(k, {x.data(), r.data(), g.data(), h.data(), n.data()}, syms, threads);
        std::vector<float> sum(x.size());
        for (size_t i = 0; i < x.size(); ++i) sum[i] = x[i] + r[i];  // rounded to f32 as the kernel does
        std::string what =
            "D=" + std::to_string(width) + " rows=" + std::to_string(rows) + " threads=" + std::to_string(threads);
        EXPECT_EQ(mismatches(h, std::vector<double>(sum.begin(), sum.end()), 0, 0), "") << what;
        EXPECT_EQ(mismatches(n, reference_rms_norm(sum.data(), rows, width, g.data(), width, 1e-6, 0.0), 1e-5, 1e-6),
                  "")
            << what;
      }
    }
  }
}

TEST(FusedRowsKernel, BiasThenPerHeadNorm) {
  struct Case {
    int64_t width, group;
  };
  uint32_t seed = 1;
  for (const Case& c : {Case{64, 16}, Case{100, 20}, Case{640, 64}, Case{96, 3}}) {
    std::string row = rows_of(c.width);
    LoadedKernel k = load_kernel(fusion_desc("graph @body(%x: " + row + ", %b: f32[" + std::to_string(c.width) +
                                             "], %g: f32[" + std::to_string(c.group) +
                                             "]) {\n"
                                             "  %h = add %x, %b : " +
                                             row +
                                             "\n"
                                             "  %n = rms_norm %h, %g {eps = 1e-6, offset = 1.0} : " +
                                             row +
                                             "\n"
                                             "  return %n\n}\n"));
    for (int64_t rows : {1, 5}) {
      for (int threads : {1, 2}) {
        auto x = random_floats(rows * c.width, seed++, -3.0f, 3.0f);
        auto b = random_floats(c.width, seed++);
        auto g = random_floats(c.group, seed++);
        std::vector<float> n(x.size(), NAN);
        int64_t syms[ir::kNumSyms] = {rows, 1};
        run_kernel(k, {x.data(), b.data(), g.data(), n.data()}, syms, threads);
        std::vector<float> h(x.size());
        for (size_t i = 0; i < x.size(); ++i) h[i] = x[i] + b[i % c.width];
        EXPECT_EQ(mismatches(n, reference_rms_norm(h.data(), rows, c.width, g.data(), c.group, 1e-6, 1.0), 1e-5, 1e-6),
                  "")
            << "D=" << c.width << " G=" << c.group << " rows=" << rows << " threads=" << threads;
      }
    }
  }
}

TEST(FusedRowsKernel, ActGateTimesUp) {
  uint32_t seed = 1;
  for (const char* act : {"silu", "gelu", "gelu_tanh"}) {
    for (int64_t width : {5, 32, 100}) {
      std::string half = rows_of(width), w = std::to_string(width);
      LoadedKernel k = load_kernel(fusion_desc("graph @body(%gu: " + rows_of(2 * width) +
                                               ") {\n"
                                               "  %g, %u = split %gu {axis = 1, sizes = [" +
                                               w + ", " + w + "]} : " + half + ", " + half +
                                               "\n"
                                               "  %a = " +
                                               act + " %g : " + half +
                                               "\n"
                                               "  %m = mul %a, %u : " +
                                               half +
                                               "\n"
                                               "  return %m\n}\n"));
      for (int64_t rows : {1, 6}) {
        for (int threads : {1, 2}) {
          auto gu = random_floats(rows * 2 * width, seed++, -4.0f, 4.0f);
          std::vector<float> m(rows * width, NAN);
          int64_t syms[ir::kNumSyms] = {rows, 1};
          run_kernel(k, {gu.data(), m.data()}, syms, threads);
          std::vector<double> want(m.size());
          for (int64_t t = 0; t < rows; ++t)
            for (int64_t i = 0; i < width; ++i)
              want[t * width + i] = ref_activation(act, gu[t * 2 * width + i]) * gu[t * 2 * width + width + i];
          // The activation's 1e-6 relative + 1e-7 absolute, times |up| <= 4, and the product's rounding.
          EXPECT_EQ(mismatches(m, want, 1.2e-6, 4e-7), "")
              << act << " W=" << width << " rows=" << rows << " threads=" << threads;
        }
      }
    }
  }
}

// Qwen3's and Gemma 3's q/k path (passes/transforms/fuse_qk_rope.cpp): a per-head norm, then rope,
// as one loop: the partner of each element is normalized at its own column. Head sizes
// whose steps are 32, 16, 8, 2 and 1 columns wide; partial rotary; both pairings.
TEST(FusedRowsKernel, PerHeadNormThenRope) {
  struct Case {
    int64_t heads, head_dim, rotary_dim;
    const char* style;
  };
  uint32_t seed = 7;
  for (const Case& c :
       {Case{4, 128, 128, "neox"}, Case{2, 64, 64, "normal"}, Case{3, 256, 256, "neox"}, Case{2, 48, 48, "neox"},
        Case{2, 18, 18, "neox"}, Case{2, 20, 20, "normal"}, Case{2, 128, 96, "neox"}, Case{2, 64, 32, "normal"}}) {
    const int64_t width = c.heads * c.head_dim;
    std::string row = rows_of(width);
    LoadedKernel k =
        load_kernel(fusion_desc("graph @body(%x: " + row + ", %g: f32[" + std::to_string(c.head_dim) +
                                "], %positions: i32[T]) {\n"
                                "  %n = rms_norm %x, %g {eps = 1e-6, offset = 1.0} : " +
                                row +
                                "\n"
                                "  %q = rope %n, %positions {head_dim = " +
                                std::to_string(c.head_dim) + ", rotary_dim = " + std::to_string(c.rotary_dim) +
                                ", base = 1000000.0, style = \"" + c.style + "\"} : " + row +
                                "\n"
                                "  return %q\n}\n"));
    std::vector<double> freqs;
    for (int64_t i = 0; i < c.rotary_dim / 2; ++i) freqs.push_back(std::pow(1e6, -2.0 * i / c.rotary_dim));
    for (int64_t rows : {1, 3}) {
      for (int threads : {1, 2}) {
        auto x = random_floats(rows * width, seed++, -3.0f, 3.0f);
        auto g = random_floats(c.head_dim, seed++);
        std::vector<int32_t> positions = {0, 7, 30000};
        std::vector<float> y(x.size(), NAN);
        int64_t syms[ir::kNumSyms] = {rows, 1};
        run_kernel(k, {x.data(), g.data(), positions.data(), y.data()}, syms, threads);
        std::vector<double> n = reference_rms_norm(x.data(), rows, width, g.data(), c.head_dim, 1e-6, 1.0);
        std::vector<float> nf(n.begin(), n.end());
        auto want =
            reference_rope(nf.data(), rows, width, positions.data(), c.head_dim, freqs, std::string(c.style) == "neox");
        EXPECT_EQ(mismatches(y, want, 1e-5, 1e-5), "") << c.style << " hd=" << c.head_dim << " rotary " << c.rotary_dim
                                                       << " rows=" << rows << " threads=" << threads;
      }
    }
  }
}

TEST(FusedRowsKernel, RejectsRegionsItCannotRun) {
  const std::string args = "graph @body(%x: f32[T,64], %g16: f32[16], %g64: f32[64], %positions: i32[T]) {\n";
  EXPECT_PRED2(contains,
               add_error(fusion_desc(args + "  %a, %b = split %x {axis = 1, sizes = [32, 32]} : f32[T,32], f32[T,32]\n"
                                            "  %s = silu %x : f32[T,64]\n"
                                            "  return %a, %s\n}\n")),
               "yields of different types: f32[T,64] vs f32[T,32]");
  EXPECT_PRED2(contains,
               add_error(fusion_desc(args + "  %h = rms_norm %x, %g16 {eps = 1e-6} : f32[T,64]\n"
                                            "  %n = rms_norm %h, %g64 {eps = 1e-6} : f32[T,64]\n"
                                            "  return %n\n}\n")),
               "row reductions of different group lengths in one region");
  EXPECT_PRED2(contains,
               add_error(fusion_desc(
                   args + "  %n = rms_norm %x, %g16 {eps = 1e-6} : f32[T,64]\n"
                          "  %q = rope %n, %positions {head_dim = 32, base = 10000.0, style = \"neox\"} : f32[T,64]\n"
                          "  return %q\n}\n")),
               "its heads of 32 columns straddle the region's groups of 16");
}

}  // namespace
}  // namespace lmc::test
