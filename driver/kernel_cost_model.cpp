#include "driver/kernel_cost_model.h"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <random>
#include <vector>

#include "codegen/kernel_compiler.h"
#include "codegen/kernel_library.h"
#include "codegen/prefill_choice.h"
#include "driver/random_weight_bytes.h"
#include "ir/parser.h"

namespace lmc::driver {

namespace {

using Kernels = std::vector<ir::PrefillKernel>;

// A linear of the weight parts over `rows` input rows (a static count, or T), choosing the
// prefill kernel `attrs` name.
codegen::KernelDesc linear(const std::vector<ir::Type>& weights, ir::Dim rows, ir::AttrMap attrs = {}) {
  codegen::KernelDesc d;
  d.kind = "linear";
  d.operands = {ir::Type{ir::DType::f32, {rows, weights.front().dims[1]}}};
  int64_t n = 0;
  for (const ir::Type& w : weights) {
    d.operands.push_back(w);
    n += w.dims[0].value;
  }
  d.results = {ir::Type{ir::DType::f32, {rows, ir::Dim::of(n)}}};
  d.attrs = std::move(attrs);
  return d;
}

// The median of `reps` calls of the kernel over all its work items, after one to warm up.
double median_seconds(const codegen::KernelDesc& d, const codegen::TargetSpec& target, int64_t rows, int reps) {
  codegen::KernelCompiler compiler(target);
  const std::string name = compiler.add(d);
  const codegen::KernelInfo info = compiler.kernels().back().info;
  auto lib = codegen::KernelLibrary::compile(compiler);
  lmc_kernel_fn fn = lib->lookup(name);
  std::vector<std::vector<uint8_t>> weights;
  for (size_t i = 1; i < d.operands.size(); ++i) weights.push_back(random_weight_bytes(d.operands[i], 7 + i));
  const int64_t k = d.operands[0].dims[1].value, n = d.results[0].dims[1].value;
  std::vector<float> x(static_cast<size_t>(rows * k)), y(static_cast<size_t>(rows * n));
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  for (float& v : x) v = value(rng);
  std::vector<void*> args = {x.data()};
  for (auto& w : weights) args.push_back(w.data());
  args.push_back(y.data());
  int64_t syms[ir::kNumSyms] = {rows, rows, rows};
  const int64_t items = info.items(syms);
  std::vector<double> times;
  for (int rep = 0; rep <= reps; ++rep) {
    auto t0 = std::chrono::steady_clock::now();
    fn(args.data(), syms, 0, items);
    if (rep) times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

// The first `cols` rows of a weight (whole panels), K whole.
ir::Type column_slice(ir::Type w, int64_t cols) {
  const int64_t panel = ir::dtype_panel_rows(w.dtype);
  w.dims[0] = ir::Dim::of(std::min(w.dims[0].value, (cols + panel - 1) / panel * panel));
  return w;
}

int64_t columns(const std::vector<ir::Type>& weights) {
  return std::accumulate(weights.begin(), weights.end(), int64_t{0},
                         [](int64_t n, const ir::Type& w) { return n + w.dims[0].value; });
}

// An op of one operand over a linear's result `y`: on its own, or as the linear's epilogue.
codegen::KernelDesc elementwise(const std::string& op, const ir::Type& y) {
  codegen::KernelDesc d;
  d.kind = op;
  d.operands = {y};
  d.results = {y};
  return d;
}

codegen::KernelDesc fused(const codegen::KernelDesc& lin, const std::string& op) {
  const std::string y = lin.results[0].str();
  std::string text = "graph @body(%x: " + lin.operands[0].str() + ", %w: " + lin.operands[1].str() + ") {\n" +
                     "  %y = linear %x, %w : " + y + "\n  %s = " + op + " %y : " + y + "\n  return %s\n}\n";
  std::shared_ptr<const ir::Graph> body = ir::parse(text, "the cost model's epilogue");
  codegen::KernelDesc d;
  d.kind = "fusion";
  d.operands = lin.operands;
  d.results = lin.results;
  d.body = std::move(body);
  return d;
}

}  // namespace

KernelCostModel::KernelCostModel(codegen::TargetSpec target) : target_(std::move(target)) {}

double KernelCostModel::linear_seconds(const ir::Type& weight) {
  std::string key = weight.str();
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  return cache_[key] = median_seconds(linear({weight}, ir::Dim::of(1)), target_, 1, 7);
}

void KernelCostModel::ask_target() {
  if (has_) return;
  has_ = codegen::spec_features(target_);
  runs_here_ = codegen::missing_host_features(target_).empty();
}

std::vector<ir::PrefillKernel> KernelCostModel::prefill_kernels(const ir::Op& op) {
  ask_target();
  std::vector<ir::DType> parts;
  for (const ir::Type& w : ir::prefill_weights(op)) parts.push_back(w.dtype);
  if (parts.empty()) return codegen::attention_prefill_kernels(has_);
  return codegen::linear_prefill_kernels(parts, has_);
}

bool KernelCostModel::times_prefill() {
  ask_target();
  return runs_here_;
}

double KernelCostModel::prefill_seconds(const passes::PrefillCall& c) {
  std::vector<ir::Type> slice;
  for (const ir::Type& w : c.weights) slice.push_back(column_slice(w, c.thorough ? 512 : 256));
  const codegen::KernelDesc d = linear(slice, ir::Dim::symbolic(ir::Sym::T),
                                       {{ir::kPrefillAttr, std::string(ir::prefill_kernel_name(c.kernel))}});
  const double whole = static_cast<double>(columns(c.weights)) / static_cast<double>(columns(slice));
  std::string key = d.key() + " x" + std::to_string(c.rows) + (c.thorough ? " full" : "");
  auto it = cache_.find(key);
  if (it == cache_.end()) it = cache_.emplace(key, median_seconds(d, target_, c.rows, c.thorough ? 7 : 3)).first;
  return whole * it->second;
}

passes::EpilogueSeconds KernelCostModel::epilogue_seconds(const passes::EpilogueCall& c) {
  const ir::Type slice = column_slice(c.weight, 256);
  const codegen::KernelDesc lin = linear({slice}, ir::Dim::symbolic(ir::Sym::T));
  const double whole = static_cast<double>(c.weight.dims[0].value) / static_cast<double>(slice.dims[0].value);
  const auto seconds = [&](const codegen::KernelDesc& d) {
    std::string key = d.key() + " x" + std::to_string(c.rows);
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, median_seconds(d, target_, c.rows, 7)).first;
    return whole * it->second;
  };
  return {seconds(fused(lin, c.op)), seconds(lin) + seconds(elementwise(c.op, lin.results[0]))};
}

}  // namespace lmc::driver
