// Small graphs for the runtime tests, their random weights, and JIT-compiled kernels.
#pragma once
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "codegen/kernel_compiler.h"
#include "codegen/kernel_library.h"
#include "ir/builder.h"
#include "ir/model_info.h"
#include "runtime/artifact/weight_provider.h"
#include "runtime/kernel_table.h"
#include "support/error.h"

namespace lmc::runtime::testing {

inline ir::Type f32(std::vector<ir::Dim> dims) { return {ir::DType::f32, std::move(dims)}; }
inline ir::Dim T() { return ir::Dim::symbolic(ir::Sym::T); }
inline ir::Dim n(int64_t v) { return ir::Dim::of(v); }

// f32 weights held in memory, filled with uniform values in [-scale, scale].
class RandomWeights : public WeightProvider {
 public:
  explicit RandomWeights(uint64_t seed) : rng_(seed) {}
  // Declares the param in `b` and creates its values.
  ir::Value* param(ir::Builder& b, const std::string& name, std::vector<int64_t> shape, float scale = 0.5f) {
    int64_t count = 1;
    std::vector<ir::Dim> dims;
    for (int64_t d : shape) {
      count *= d;
      dims.push_back(ir::Dim::of(d));
    }
    std::uniform_real_distribution<float> u(-scale, scale);
    auto& data = tensors_[name];
    data.resize(static_cast<size_t>(count));
    for (float& x : data) x = u(rng_);
    return b.param(name, f32(dims), name);
  }
  const void* get(const std::string& name) const override {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) throw Error("test: error: no weight '" + name + "'");
    return it->second.data();
  }
  const std::vector<float>& tensor(const std::string& name) const { return tensors_.at(name); }

 private:
  std::mt19937 rng_;
  std::map<std::string, std::vector<float>> tensors_;
};

struct Kernels {
  std::unique_ptr<codegen::KernelLibrary> lib;
  KernelTable table;
};

inline Kernels jit_kernels(const ir::Graph& g) {
  codegen::KernelCompiler compiler;
  add_graph_kernels(compiler, g, "test graph");
  Kernels k;
  k.lib = codegen::KernelLibrary::compile(compiler);
  k.table = build_kernel_table(*k.lib, compiler.kernels());
  return k;
}

inline ir::ModelInfo model_info(int64_t context, int64_t step_tokens) {
  ir::ModelInfo info;
  info.name = "test";
  info.context = context;
  info.step_tokens = step_tokens;
  return info;
}

// An MLP with two parallel branches that meet again, ending in "logits" [L, vocab]:
//   x = embedding(tokens); a = linear(gelu(x)), b = linear(silu(scale(x))); y = add(a, b)
//   h = rms_norm(y); logits = linear(tail_rows(h))
inline void build_branchy_graph(ir::Graph& g, RandomWeights& w, int64_t vocab, int64_t d) {
  ir::Builder b(g);
  ir::Value* tokens = g.add_arg("tokens", {ir::DType::i32, {T()}});
  ir::Value* x = b.op("embedding", {w.param(b, "emb", {vocab, d}), tokens}, {}, "x");
  ir::Value* a = b.op("gelu", {x}, {}, "a");
  a = b.op("linear", {a, w.param(b, "wa", {2 * d, d})}, {}, "a");
  ir::Value* s = b.op("scale", {x}, {{"factor", 0.5}}, "s");
  s = b.op("silu", {s}, {}, "s");
  s = b.op("linear", {s, w.param(b, "wb", {2 * d, d})}, {}, "s");
  ir::Value* y = b.op("add", {a, s}, {}, "y");
  ir::Value* h = b.op("rms_norm", {y, w.param(b, "norm", {2 * d})}, {{"eps", 1e-6}}, "h");
  h = b.op("tail_rows", {h}, {}, "h");
  g.set_outputs({b.op("linear", {h, w.param(b, "out", {vocab, 2 * d})}, {}, "logits")});
}

}  // namespace lmc::runtime::testing
