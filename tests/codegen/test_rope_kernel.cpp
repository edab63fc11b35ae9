// The generated rope kernel against reference_rope: neox and normal pairing, head
// sizes with and without vector tails, one or several heads, positions from 0 to
// long contexts, consecutive or each row its own (rows of several sequences in one
// step), several row counts, 1 or 2 threads. A rope is the one-op region of itself
// (codegen/llvm/emit_fused_rows.cpp), so these test that generator's rotations.
// Tolerance: 1e-5 relative + 1e-6 absolute; the angles are computed in f64, so the
// error does not grow with the position.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "codegen/kernel_compiler.h"
#include "support/error.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

codegen::KernelDesc desc(int64_t heads, int64_t head_dim, double base, const std::string& style) {
  codegen::KernelDesc d;
  d.kind = "rope";
  d.operands = {make_type(ir::DType::f32, {T(), D(heads * head_dim)}), make_type(ir::DType::i32, {T()})};
  d.results = {d.operands[0]};
  d.attrs["head_dim"] = head_dim;
  d.attrs["base"] = base;
  d.attrs["style"] = style;
  return d;
}

TEST(RopeKernel, MatchesReferenceAcrossStylesShapesPositionsAndThreads) {
  struct Case {
    int64_t heads, head_dim;
    double base;
  };
  const Case cases[] = {{4, 64, 10000.0}, {1, 256, 1000000.0}, {3, 6, 10000.0}, {2, 18, 500.0}, {9, 64, 100000.0}};
  uint32_t seed = 1;
  for (const char* style : {"neox", "normal"}) {
    for (const auto& c : cases) {
      LoadedKernel k = load_kernel(desc(c.heads, c.head_dim, c.base, style));
      int64_t width = c.heads * c.head_dim;
      const std::vector<std::vector<int32_t>> position_sets = {
          {0}, {7}, {40000}, {1000, 1001, 1002, 1003, 1004}, {0, 1, 2, 3, 4}, {40000, 3, 7, 0, 1000}};
      for (const auto& positions : position_sets) {
        auto rows = static_cast<int64_t>(positions.size());
        for (int threads : {1, 2}) {
          auto x = random_floats(rows * width, seed++, -2.0f, 2.0f);
          std::vector<float> y(x.size(), NAN);
          int64_t syms[ir::kNumSyms] = {rows, 1};
          run_kernel(k, {x.data(), const_cast<int32_t*>(positions.data()), y.data()}, syms, threads);
          bool neox = std::string(style) == "neox";
          auto want = reference_rope(x.data(), rows, width, positions.data(), c.head_dim, c.base, neox);
          EXPECT_EQ(mismatches(y, want, 1e-5, 1e-6), "")
              << style << " H=" << c.heads << " hd=" << c.head_dim << " first position " << positions[0]
              << " rows=" << rows << " threads=" << threads;
        }
      }
    }
  }
}

// Hugging Face's Llama 3 frequencies (_compute_llama3_parameters), in its form: the
// low-frequency divided by factor, then the band between the wavelength bounds smoothed.
std::vector<double> llama3_freqs(double base, int64_t head_dim, double factor, double low, double high, double orig) {
  std::vector<double> out;
  for (int64_t i = 0; i < head_dim / 2; ++i) {
    double inv = std::pow(base, -2.0 * i / head_dim), wavelen = 2 * M_PI / inv;
    double scaled = wavelen > orig / low ? inv / factor : inv;
    double smooth = (orig / wavelen - low) / (high - low);
    bool medium = !(wavelen < orig / high) && !(wavelen > orig / low);
    out.push_back(medium ? (1 - smooth) * scaled / factor + smooth * scaled : scaled);
  }
  return out;
}

// Scaled frequencies: linear and llama3 from attributes, per-pair factors from operand 2
// (GGUF's rope_freqs.weight), and both at once.
TEST(RopeKernel, ScalingsAndFactorsDivideTheFrequencies) {
  const int64_t heads = 3, hd = 64, width = heads * hd;
  const double base = 500000.0;
  std::vector<float> factors;
  for (int64_t i = 0; i < hd / 2; ++i) factors.push_back(1.0f + static_cast<float>(i % 7) * 5.5f);
  std::vector<double> plain;
  for (int64_t i = 0; i < hd / 2; ++i) plain.push_back(std::pow(base, -2.0 * i / hd));
  const std::vector<double> scaled = llama3_freqs(base, hd, 32, 1, 4, 8192);
  for (const char* style : {"neox", "normal"}) {
    for (const char* kind : {"linear", "llama3", "factors", "llama3+factors"}) {
      codegen::KernelDesc d = desc(heads, hd, base, style);
      std::string k = kind;
      std::vector<double> freqs = k.rfind("llama3", 0) == 0 ? scaled : plain;
      if (k == "linear") {
        d.attrs["scaling"] = std::string("linear");
        d.attrs["factor"] = 8.0;
        for (double& f : freqs) f /= 8.0;
      }
      if (k.rfind("llama3", 0) == 0) {
        d.attrs["scaling"] = std::string("llama3");
        d.attrs["factor"] = 32.0;
        d.attrs["low_freq_factor"] = 1.0;
        d.attrs["high_freq_factor"] = 4.0;
        d.attrs["original_context"] = 8192.0;
      }
      const bool operand = k.find("factors") != std::string::npos;
      if (operand) {
        d.operands.push_back(make_type(ir::DType::f32, {D(hd / 2)}));
        for (size_t i = 0; i < freqs.size(); ++i) freqs[i] /= factors[i];
      }
      LoadedKernel kern = load_kernel(d);
      const std::vector<int32_t> positions = {0, 5, 8191, 40000, 131071};
      auto x = random_floats(5 * width, 9, -2.0f, 2.0f);
      std::vector<float> y(x.size(), NAN);
      int64_t syms[ir::kNumSyms] = {5, 1};
      std::vector<void*> args{x.data(), const_cast<int32_t*>(positions.data())};
      if (operand) args.push_back(factors.data());
      args.push_back(y.data());
      run_kernel(kern, args, syms, 2);
      auto want = reference_rope(x.data(), 5, width, positions.data(), hd, freqs, std::string(style) == "neox");
      EXPECT_EQ(mismatches(y, want, 1e-5, 1e-6), "") << style << " " << kind;
    }
  }
}

// Hugging Face's YaRN frequencies (_compute_yarn_parameters), in its form: the
// interpolated and extrapolated inverse frequencies mixed by a ramp over the pairs between
// the correction range's floor and ceil; and its attention factor 0.1 ln(factor) + 1.
std::vector<double> yarn_freqs(double base, int64_t dim, double factor, double orig, double beta_fast,
                               double beta_slow) {
  auto correction_dim = [&](double rotations) {
    return dim * std::log(orig / (rotations * 2 * M_PI)) / (2 * std::log(base));
  };
  double low = std::max(std::floor(correction_dim(beta_fast)), 0.0);
  double high = std::min(std::ceil(correction_dim(beta_slow)), static_cast<double>(dim - 1));
  if (low == high) high += 0.001;
  std::vector<double> out;
  for (int64_t i = 0; i < dim / 2; ++i) {
    double pos_freq = std::pow(base, 2.0 * i / dim);
    double extrapolation = 1.0 / pos_freq, interpolation = 1.0 / (factor * pos_freq);
    double ramp = std::clamp((i - low) / (high - low), 0.0, 1.0);
    double extrapolation_factor = 1 - ramp;
    out.push_back(interpolation * (1 - extrapolation_factor) + extrapolation * extrapolation_factor);
  }
  return out;
}

// YaRN (Qwen2.5's long-context config, DeepSeek's): the blended frequencies and cos, sin
// times 0.1 ln(factor) + 1, or times the op's own attn_factor (also on its own, as
// longrope gives it beside its factors operand).
TEST(RopeKernel, YarnBlendsTheFrequenciesAndScalesTheRotation) {
  const int64_t heads = 2, hd = 128, width = heads * hd;
  const double base = 1000000.0;
  struct Case {
    const char* name;
    double factor, orig, fast, slow, attn;
    bool explicit_attn;
  };
  const Case cases[] = {{"qwen2.5 x4", 4, 32768, 32, 1, 0.1 * std::log(4.0) + 1, false},
                        {"x8 betas", 8, 4096, 16, 2, 0.1 * std::log(8.0) + 1, false},
                        {"own attn_factor", 4, 32768, 32, 1, 1.19, true}};
  for (const char* style : {"neox", "normal"}) {
    for (const Case& c : cases) {
      codegen::KernelDesc d = desc(heads, hd, base, style);
      d.attrs["scaling"] = std::string("yarn");
      d.attrs["factor"] = c.factor;
      d.attrs["original_context"] = c.orig;
      d.attrs["beta_fast"] = c.fast;
      d.attrs["beta_slow"] = c.slow;
      if (c.explicit_attn) d.attrs["attn_factor"] = c.attn;
      LoadedKernel k = load_kernel(d);
      const std::vector<int32_t> positions = {0, 3, 4095, 32767, 131071};
      auto x = random_floats(5 * width, 21, -2.0f, 2.0f);
      std::vector<float> y(x.size(), NAN);
      int64_t syms[ir::kNumSyms] = {5, 1};
      run_kernel(k, {x.data(), const_cast<int32_t*>(positions.data()), y.data()}, syms, 2);
      auto want = reference_rope(x.data(), 5, width, positions.data(), hd,
                                 yarn_freqs(base, hd, c.factor, c.orig, c.fast, c.slow), std::string(style) == "neox");
      for (double& v : want) v *= c.attn;
      EXPECT_EQ(mismatches(y, want, 1e-5, 1e-6), "") << style << " " << c.name;
    }
  }
  codegen::KernelDesc d = desc(heads, hd, base, "neox");
  d.attrs["attn_factor"] = 1.25;
  d.operands.push_back(make_type(ir::DType::f32, {D(hd / 2)}));
  LoadedKernel k = load_kernel(d);
  std::vector<float> factors(hd / 2);
  std::vector<double> freqs;
  for (int64_t i = 0; i < hd / 2; ++i) {
    factors[i] = 1.0f + 0.25f * static_cast<float>(i);
    freqs.push_back(std::pow(base, -2.0 * i / hd) / factors[i]);
  }
  const std::vector<int32_t> positions = {0, 9, 5000};
  auto x = random_floats(3 * width, 22, -2.0f, 2.0f);
  std::vector<float> y(x.size(), NAN);
  int64_t syms[ir::kNumSyms] = {3, 1};
  run_kernel(k, {x.data(), const_cast<int32_t*>(positions.data()), factors.data(), y.data()}, syms, 2);
  auto want = reference_rope(x.data(), 3, width, positions.data(), hd, freqs, true);
  for (double& v : want) v *= 1.25;
  EXPECT_EQ(mismatches(y, want, 1e-5, 1e-6), "") << "factors and attn_factor";
}

// Hugging Face's dynamic NTK frequencies (_compute_dynamic_ntk_parameters) for a sequence
// of `len` tokens, in its form: past the original context the base grows.
std::vector<double> dynamic_freqs(double base, int64_t dim, double factor, double orig, double len) {
  if (len > orig) base *= std::pow(factor * len / orig - (factor - 1), static_cast<double>(dim) / (dim - 2));
  std::vector<double> out;
  for (int64_t i = 0; i < dim / 2; ++i) out.push_back(std::pow(base, -2.0 * i / dim));
  return out;
}

// Dynamic NTK scaling: each row takes the frequencies of a sequence as long as its own
// position + 1, so rows before and after the original context, and rows of several
// sequences in one step, turn as that row alone would; with partial rotary too.
TEST(RopeKernel, DynamicScalingGrowsTheBaseWithEachRowsPosition) {
  struct Case {
    int64_t head_dim, rotary_dim;
    double base, factor, orig;
  };
  const Case cases[] = {{128, 128, 10000.0, 2, 2048}, {64, 32, 500000.0, 4, 4096}, {80, 80, 10000.0, 8, 16}};
  const std::vector<int32_t> positions = {0, 15, 16, 100, 2047, 2048, 2049, 5000, 40000, 131071};
  const auto rows = static_cast<int64_t>(positions.size());
  uint32_t seed = 60;
  for (const char* style : {"neox", "normal"}) {
    for (const Case& c : cases) {
      const int64_t heads = 2, width = heads * c.head_dim;
      codegen::KernelDesc d = desc(heads, c.head_dim, c.base, style);
      d.attrs["scaling"] = std::string("dynamic");
      d.attrs["factor"] = c.factor;
      d.attrs["original_context"] = c.orig;
      d.attrs["rotary_dim"] = c.rotary_dim;
      LoadedKernel k = load_kernel(d);
      auto x = random_floats(rows * width, seed++, -2.0f, 2.0f);
      std::vector<float> y(x.size(), NAN);
      int64_t syms[ir::kNumSyms] = {rows, 1};
      run_kernel(k, {x.data(), const_cast<int32_t*>(positions.data()), y.data()}, syms, 2);
      std::vector<double> want;
      for (int64_t t = 0; t < rows; ++t) {
        auto freqs = dynamic_freqs(c.base, c.rotary_dim, c.factor, c.orig, positions[t] + 1.0);
        auto row = reference_rope(x.data() + t * width, 1, width, &positions[t], c.head_dim, freqs,
                                  std::string(style) == "neox");
        want.insert(want.end(), row.begin(), row.end());
      }
      EXPECT_EQ(mismatches(y, want, 1e-5, 1e-6), "") << style << " hd=" << c.head_dim << " factor " << c.factor;
    }
  }
}

// Partial rotary (Phi-4-mini's 96 of 128, StableLM's quarter): the first rotary_dim
// features turn at base^(-2i/rotary_dim), the rest are copied.
TEST(RopeKernel, PartialRotaryTurnsTheFirstFeaturesOnly) {
  struct Case {
    int64_t heads, head_dim, rotary_dim;
  };
  uint32_t seed = 40;
  for (const char* style : {"neox", "normal"}) {
    for (Case c : {Case{3, 128, 96}, Case{2, 64, 16}, Case{1, 80, 20}, Case{2, 18, 18}}) {
      auto d = desc(c.heads, c.head_dim, 10000.0, style);
      d.attrs["rotary_dim"] = c.rotary_dim;
      LoadedKernel k = load_kernel(d);
      std::vector<double> freqs;
      for (int64_t i = 0; i < c.rotary_dim / 2; ++i) freqs.push_back(std::pow(10000.0, -2.0 * i / c.rotary_dim));
      const int64_t width = c.heads * c.head_dim;
      std::vector<int32_t> positions = {0, 5, 4000};
      auto x = random_floats(3 * width, seed++, -2.0f, 2.0f);
      auto want = reference_rope(x.data(), 3, width, positions.data(), c.head_dim, freqs, std::string(style) == "neox");
      std::vector<float> y(x.size(), NAN);
      int64_t syms[ir::kNumSyms] = {3, 1};
      run_kernel(k, {x.data(), positions.data(), y.data()}, syms, 2);
      EXPECT_EQ(mismatches(y, want, 1e-5, 1e-6), "") << style << " hd=" << c.head_dim << " rotary " << c.rotary_dim;
    }
  }
}

TEST(RopeKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  EXPECT_THROW(compiler.add(desc(2, 7, 10000.0, "neox")), Error);  // odd head_dim
  EXPECT_THROW(compiler.add(desc(2, 8, 10000.0, "gptj")), Error);
  auto ragged = desc(2, 8, 10000.0, "neox");
  ragged.operands[0] = ragged.results[0] = make_type(ir::DType::f32, {T(), D(20)});
  EXPECT_THROW(compiler.add(ragged), Error);
  auto f32_pos = desc(2, 8, 10000.0, "normal");
  f32_pos.operands[1].dtype = ir::DType::f32;
  EXPECT_THROW(compiler.add(f32_pos), Error);
  auto wide_factors = desc(2, 8, 10000.0, "normal");
  wide_factors.operands.push_back(make_type(ir::DType::f32, {D(8)}));  // one per pair: 4
  EXPECT_THROW(compiler.add(wide_factors), Error);
  for (int64_t rd : {0, 3, 10}) {  // odd, or beyond head_dim
    auto partial = desc(2, 8, 10000.0, "neox");
    partial.attrs["rotary_dim"] = rd;
    EXPECT_THROW(compiler.add(partial), Error) << rd;
  }
  auto unknown = desc(2, 8, 10000.0, "normal");
  unknown.attrs["scaling"] = std::string("yarn");
  EXPECT_THROW(compiler.add(unknown), Error);
  auto tiny_dynamic = desc(2, 8, 10000.0, "neox");  // d / (d - 2) needs d >= 4
  tiny_dynamic.attrs["scaling"] = std::string("dynamic");
  tiny_dynamic.attrs["factor"] = 2.0;
  tiny_dynamic.attrs["original_context"] = 16.0;
  tiny_dynamic.attrs["rotary_dim"] = int64_t{2};
  EXPECT_THROW(compiler.add(tiny_dynamic), Error);
  auto scalar_pos = desc(2, 8, 10000.0, "normal");
  scalar_pos.operands[1] = make_type(ir::DType::i32, {});
  EXPECT_THROW(compiler.add(scalar_pos), Error);
}

}  // namespace
}  // namespace lmc::test
