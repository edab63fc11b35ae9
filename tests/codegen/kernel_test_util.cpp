#include "tests/codegen/kernel_test_util.h"

#include <cmath>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include <pthread.h>

#include "codegen/kernel_compiler.h"
#include "ir/op_registry.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "support/error.h"

namespace lmc::test {

ir::Type make_type(ir::DType dt, std::initializer_list<ir::Dim> dims) {
  ir::Type t;
  t.dtype = dt;
  t.dims = dims;
  return t;
}

codegen::KernelDesc fusion_desc(const std::string& body_text) {
  std::unique_ptr<ir::Graph> body = ir::parse(body_text, "test body");
  ir::verify(*body, "test body");
  codegen::KernelDesc d;
  d.kind = "fusion";
  for (const auto& a : body->args()) d.operands.push_back(a->type());
  for (const ir::Value* y : body->outputs()) d.results.push_back(y->type());
  d.body = std::move(body);
  return d;
}

std::vector<float> random_floats(size_t n, uint32_t seed, float lo, float hi) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

void run_ranges(lmc_kernel_fn fn, const std::vector<void*>& args, const int64_t* syms,
                const std::vector<int64_t>& bounds) {
  std::vector<std::thread> threads;
  for (size_t i = 1; i + 1 < bounds.size(); ++i)
    threads.emplace_back([&, i] { fn(args.data(), syms, bounds[i], bounds[i + 1]); });
  fn(args.data(), syms, bounds[0], bounds[1]);
  for (auto& t : threads) t.join();
}

void run_split(lmc_kernel_fn fn, const std::vector<void*>& args, const int64_t* syms, int64_t items, int threads) {
  std::vector<int64_t> bounds{0};
  for (int i = 1; i < threads; ++i) {
    int64_t cut = items * i / threads;
    if (cut % 8 == 0 && cut + 3 < items) cut += 3;
    bounds.push_back(cut);
  }
  bounds.push_back(items);
  run_ranges(fn, args, syms, bounds);
}

LoadedKernel load_kernel(const codegen::KernelDesc& d) {
  codegen::KernelCompiler compiler;
  std::string name = compiler.add(d);
  LoadedKernel k;
  k.info = compiler.kernels().front().info;
  k.lib = codegen::KernelLibrary::compile(compiler);
  k.fn = k.lib->lookup(name);
  return k;
}

LoadedKernel load_kernel(const codegen::KernelDesc& d, const codegen::TargetSpec& target, bool scalar_tiles) {
  codegen::KernelCompiler compiler(target);
  std::string name = compiler.add(d);
  LoadedKernel k;
  k.info = compiler.kernels().front().info;
  codegen::CompileOptions opts;
  opts.scalar_tiles = scalar_tiles;
  k.lib = codegen::KernelLibrary::load(compiler.compile(opts), "<" + name + ">");
  k.fn = k.lib->lookup(name);
  return k;
}

void on_large_stacks(const std::function<void()>& body) {
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, size_t{256} << 20);
  pthread_setattr_default_np(&attr);
  pthread_attr_destroy(&attr);
  std::thread(body).join();
}

codegen::TargetSpec host_with_bf16_tiles() {
  codegen::TargetSpec t = codegen::resolve_target({true, "", ""});
  t.features += ",+amx-tile,+amx-bf16,-amx-int8";
  return t;
}

codegen::KernelDesc asking_prefill(codegen::KernelDesc d, ir::PrefillKernel k) {
  const ir::Attr name = std::string(ir::prefill_kernel_name(k));
  if (!d.body) {
    d.attrs[ir::kPrefillAttr] = name;
    return d;
  }
  std::shared_ptr<ir::Graph> body = ir::parse(ir::print(*d.body), "fusion body");
  for (auto& op : body->ops())
    if (ir::traits(*op).prefill_kernels) op->attrs()[ir::kPrefillAttr] = name;
  d.body = std::move(body);
  return d;
}

std::string add_error(const codegen::KernelDesc& d) {
  codegen::KernelCompiler compiler;
  try {
    compiler.add(d);
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

void run_kernel(const LoadedKernel& k, const std::vector<void*>& args, const int64_t* syms, int threads) {
  run_split(k.fn, args, syms, k.info.items(syms), threads);
}

std::string mismatches(const std::vector<float>& got, const std::vector<double>& want, double rtol, double atol) {
  std::ostringstream out;
  if (got.size() != want.size()) return "size " + std::to_string(got.size()) + " != " + std::to_string(want.size());
  int shown = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    double tol = atol + rtol * std::fabs(want[i]);
    if (std::fabs(got[i] - want[i]) <= tol) continue;  // false for NaN too
    if (shown++ < 5) out << "[" << i << "] got " << got[i] << ", want " << want[i] << "; ";
  }
  if (shown) out << shown << " of " << got.size() << " outside " << rtol << " rel + " << atol << " abs";
  return out.str();
}

std::string read_text(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

}  // namespace lmc::test
