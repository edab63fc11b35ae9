// A linear of several weight parts (siblings fused across the block types a file mixes:
// q4_k beside q6_k, q5_0 beside q8_0) in a region with a prologue and an epilogue: each
// part's columns have the bits of that part's own linear, on the decode and the prefill
// path, whichever calls split the columns (a call inside one part, one straddling two).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "codegen/kernel_compiler.h"
#include "codegen/kernel_library.h"
#include "ir/attribute.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

struct Part {
  ir::DType wtype;
  int64_t N;
};

std::string type_text(ir::DType t, int64_t N, int64_t K) {
  return std::string(ir::dtype_name(t)) + "[" + std::to_string(N) + "," + std::to_string(K) + "]";
}

// rms_norm -> linear over `parts` -> add a bias: the region fuse-norm-linear makes of a
// fused QKV projection. Kernel arguments: x, g, each part's weight, the bias, the output.
codegen::KernelDesc region(const std::vector<Part>& parts, int64_t K) {
  int64_t N = 0;
  std::string args = "%x: f32[T," + std::to_string(K) + "], %g: f32[" + std::to_string(K) + "]", weights;
  for (size_t i = 0; i < parts.size(); ++i) {
    args += ", %w" + std::to_string(i) + ": " + type_text(parts[i].wtype, parts[i].N, K);
    weights += ", %w" + std::to_string(i);
    N += parts[i].N;
  }
  const std::string in = "f32[T," + std::to_string(K) + "]", out = "f32[T," + std::to_string(N) + "]";
  return fusion_desc("graph @body(" + args + ", %b: f32[" + std::to_string(N) + "]) {\n" +
                     "  %h = rms_norm %x, %g {eps = " + ir::format_double(1e-5) + "} : " + in + "\n" +
                     "  %y = linear %h" + weights + " : " + out + "\n" + "  %yb = add %y, %b : " + out +
                     "\n  return %yb\n}\n");
}

// Random weights of `t`, as the file's blocks (or their panels) hold them.
std::vector<uint8_t> weights_of(ir::DType t, int64_t N, int64_t K, uint32_t seed) {
  std::vector<float> wf = random_floats(N * K, seed);
  const ir::DType base = ir::panel_base(t);
  std::vector<uint8_t> w;
  if (t == ir::DType::f32)
    w.assign(reinterpret_cast<uint8_t*>(wf.data()), reinterpret_cast<uint8_t*>(wf.data() + wf.size()));
  else if (base == ir::DType::q8_0)
    w = quantize_q8_0(wf.data(), N, K);
  else if (ggml_type_of(base))
    w = random_ggml_blocks(N, K, base, seed);
  else
    w = quantize_small(wf.data(), N, K, base);
  return base != t ? to_panels(w, t, N, K) : w;
}

struct Case {
  std::vector<Part> parts;
  int64_t K;
};

TEST(LinearPartsKernel, EachPartHasItsOwnLinearsBits) {
  const Case cases[] = {
      {{{ir::DType::q4_kx16, 64}, {ir::DType::q6_k, 32}}, 512},                            // Q4_K_M's q, k | v
      {{{ir::DType::q5_0x16, 48}, {ir::DType::q8_0x16, 16}, {ir::DType::q5_0x16, 32}}, 640},  // Gemma 3's 270M file
      {{{ir::DType::q6_k, 16}, {ir::DType::q4_k, 32}}, 256},                               // row-major parts
      {{{ir::DType::f32, 16}, {ir::DType::q8_0x16, 32}}, 96},                               // f32 beside blocks
  };
  for (const Case& c : cases) {
    codegen::KernelCompiler compiler;
    const std::string fused = compiler.add(region(c.parts, c.K));
    std::vector<std::string> alone;
    for (const Part& p : c.parts) alone.push_back(compiler.add(region({p}, c.K)));
    std::map<std::string, codegen::KernelInfo> infos;
    for (const auto& k : compiler.kernels()) infos[k.name] = k.info;
    auto lib = codegen::KernelLibrary::compile(compiler);

    int64_t N = 0;
    for (const Part& p : c.parts) N += p.N;
    const std::vector<float> g = random_floats(c.K, 7, 0.5f, 1.5f), bias = random_floats(N, 8);
    std::vector<std::vector<uint8_t>> w;
    for (size_t i = 0; i < c.parts.size(); ++i) w.push_back(weights_of(c.parts[i].wtype, c.parts[i].N, c.K, 11 + i));
    for (int64_t T : {1, 3, 8, 9, 17, 100}) {
      std::vector<float> x = random_floats(T * c.K, static_cast<uint32_t>(T), -2.0f, 2.0f);
      int64_t syms[ir::kNumSyms] = {T, 1};
      // Each part alone: its columns of the expected rows.
      std::vector<float> want(T * N);
      int64_t col0 = 0;
      for (size_t i = 0; i < c.parts.size(); ++i) {
        const int64_t n = c.parts[i].N;
        std::vector<float> b(bias.begin() + col0, bias.begin() + col0 + n), y(T * n, NAN);
        std::vector<void*> args{x.data(), const_cast<float*>(g.data()), w[i].data(), b.data(), y.data()};
        run_split(lib->lookup(alone[i]), args, syms, infos.at(alone[i]).items(syms), 1);
        for (int64_t t = 0; t < T; ++t) std::memcpy(&want[t * N + col0], &y[t * n], sizeof(float) * n);
        col0 += n;
      }
      std::vector<void*> args{x.data(), const_cast<float*>(g.data())};
      for (auto& part : w) args.push_back(part.data());
      args.push_back(const_cast<float*>(bias.data()));
      const int64_t items = infos.at(fused).items(syms);
      // One call; two; three of which the first holds one work item.
      for (const std::vector<int64_t>& bounds :
           {std::vector<int64_t>{0, items}, {0, items / 2, items}, {0, 1, items / 2 + 1, items}}) {
        if (bounds.size() > 2 && items < static_cast<int64_t>(bounds.size())) continue;
        std::vector<float> y(T * N, NAN);
        args.push_back(y.data());
        run_ranges(lib->lookup(fused), args, syms, bounds);
        args.pop_back();
        EXPECT_EQ(0, std::memcmp(y.data(), want.data(), sizeof(float) * T * N))
            << fused << " T=" << T << " calls=" << bounds.size() - 1;
      }
    }
  }
}

TEST(LinearPartsKernel, RejectsPartsThatAreNotWholePanels) {
  // q6_k's 8 rows beside q8_0 panels of 16: a call's columns would cut a panel.
  EXPECT_PRED2(contains, add_error(region({{ir::DType::q8_0x16, 16}, {ir::DType::q6_k, 8}}, 256)),
               "a part's rows must be whole panels of 16 rows");
}

}  // namespace
}  // namespace lmc::test
