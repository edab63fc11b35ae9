#include "driver/kernel_cost_model.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <vector>

#include "codegen/kernel_compiler.h"
#include "codegen/kernel_library.h"

namespace lmc::driver {

namespace {

codegen::KernelDesc decode_linear(const ir::Type& weight) {
  int64_t k = weight.dims[1].value;
  codegen::KernelDesc d;
  d.kind = "linear";
  d.operands = {ir::Type{ir::DType::f32, {ir::Dim::of(1), ir::Dim::of(k)}}, weight};
  d.results = {ir::Type{ir::DType::f32, {ir::Dim::of(1), weight.dims[0]}}};
  return d;
}

}  // namespace

double KernelCostModel::linear_seconds(const ir::Type& weight) {
  std::string key = weight.str();
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  codegen::KernelCompiler compiler;
  std::string name = compiler.add(decode_linear(weight));
  auto lib = codegen::KernelLibrary::compile(compiler);
  lmc_kernel_fn fn = lib->lookup(name);
  int64_t n = weight.dims[0].value, k = weight.dims[1].value, panel = ir::dtype_panel_rows(weight.dtype);
  int64_t syms[ir::kNumSyms] = {1, 1};
  // Random bytes are valid weights for every layout once q8_0's f16 scales are tamed:
  // each block's, or a panel's 16 side by side at the start of its block.
  std::vector<uint8_t> w(static_cast<size_t>(weight.bytes(syms)));
  std::mt19937 rng(7);
  for (auto& b : w) b = static_cast<uint8_t>(rng());
  if (ir::panel_base(weight.dtype) == ir::DType::q8_0) {
    for (size_t at = 0; at + 34 * panel <= w.size(); at += static_cast<size_t>(34 * panel))
      for (int64_t r = 0; r < panel; ++r) w[at + 2 * r + 1] = 0x2c;  // scale ~0.06
  } else {
    for (size_t i = 3; i < w.size(); i += 4) w[i] = 0x3c;  // f32 exponents in a sane range
  }
  std::vector<float> x(static_cast<size_t>(k), 0.5f), y(static_cast<size_t>(n));
  void* args[] = {x.data(), w.data(), y.data()};
  std::vector<double> times;
  for (int rep = 0; rep < 7; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    fn(args, syms, 0, n / panel);  // work items: columns, or whole panels of them
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return cache_[key] = times[times.size() / 2];
}

}  // namespace lmc::driver
