// Micro-benchmark of a linear's fused activation epilogue (target `bench_epilogue`): what
// fuse-elementwise decides between. For one linear (K 256, N 512, as a layer's small
// projection) and an activation, three ways of computing act(x · wᵀ), each timed on one
// thread over all its work items, weights in cache:
//   linear  the linear kernel alone (no activation: the floor)
//   split   the linear kernel, then the activation's own kernel over its result
//   fused   one fusion kernel, the activation in the linear's epilogue
// Each reports ns per output value (T x N) by the thread's CPU time; epilogue_ns, the fused
// epilogue's cost per output, is fused - linear, own_kernel_ns split - linear, and fusing
// pays when fused/split < 1. Rows T: 1 (decode), 16 (a batch), 64 and 512 (prompts); weights f32 (the vector
// GEMM) and q8_0x16 (the int8 panels the default pipeline stores a quantized linear in).
// `--target=native` compiles for this CPU (VNNI, AVX-512) instead of the AVX2 baseline.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "codegen/kernel_compiler.h"
#include "codegen/kernel_library.h"
#include "driver/random_weight_bytes.h"
#include "tests/codegen/bench_util.h"
#include "tests/codegen/kernel_test_util.h"

namespace {

using namespace lmc;
using bench::thread_cpu_seconds;

constexpr int64_t kK = 256, kN = 512;

codegen::TargetSpec g_target = codegen::baseline_target();

enum class Way { Linear, Split, Fused };

const char* way_name(Way w) { return w == Way::Linear ? "linear" : w == Way::Split ? "split" : "fused"; }

// An activation, as the op the body applies to the linear's result.
struct Act {
  const char* op;
};

std::string type_text(ir::DType w) {
  return std::string(ir::dtype_name(w)) + "[" + std::to_string(kN) + "," + std::to_string(kK) + "]";
}

codegen::KernelDesc linear_desc(ir::DType w) {
  codegen::KernelDesc d;
  d.kind = "linear";
  d.operands = {test::make_type(ir::DType::f32, {test::T(), test::D(kK)}),
                test::make_type(w, {test::D(kN), test::D(kK)})};
  d.results = {test::make_type(ir::DType::f32, {test::T(), test::D(kN)})};
  return d;
}

codegen::KernelDesc act_desc(Act a) {
  codegen::KernelDesc d;
  d.kind = a.op;
  d.operands = {test::make_type(ir::DType::f32, {test::T(), test::D(kN)})};
  d.results = d.operands;
  return d;
}

codegen::KernelDesc fused_desc(ir::DType w, Act a) {
  const std::string y = "f32[T," + std::to_string(kN) + "]";
  return test::fusion_desc("graph @body(%x: f32[T," + std::to_string(kK) + "], %w: " + type_text(w) + ") {\n" +
                           "  %y = linear %x, %w : " + y + "\n  %s = " + a.op + " %y : " + y + "\n  return %s\n}\n");
}

using bench::Kernel;

Kernel compile_kernel(const codegen::KernelDesc& d) { return bench::compile_kernel(g_target, d); }

void call(const Kernel& k, std::vector<void*> args, const int64_t* syms) {
  k.fn(args.data(), syms, 0, k.info.items(syms));
}

// The three ways turn about within each iteration, each timed by the thread's CPU time,
// so a drift of the shared machine falls on all three alike.
void BM_epilogue(benchmark::State& state, ir::DType w, Act a) {
  const int64_t T = state.range(0);
  Kernel linear = compile_kernel(linear_desc(w));
  Kernel act = compile_kernel(act_desc(a));
  Kernel fused = compile_kernel(fused_desc(w, a));
  std::vector<uint8_t> weights = driver::random_weight_bytes(test::make_type(w, {test::D(kN), test::D(kK)}), 7);
  std::vector<float> x = test::random_floats(static_cast<size_t>(T * kK), 1);
  std::vector<float> y(static_cast<size_t>(T * kN)), s(y.size());
  int64_t syms[ir::kNumSyms] = {T, 1};
  const auto run = [&](Way way) {
    if (way == Way::Fused) return call(fused, {x.data(), weights.data(), s.data()}, syms);
    call(linear, {x.data(), weights.data(), y.data()}, syms);
    if (way == Way::Split) call(act, {y.data(), s.data()}, syms);
  };
  double cpu[3] = {0, 0, 0};
  for (auto _ : state)
    for (Way way : {Way::Linear, Way::Split, Way::Fused}) {
      const double t0 = thread_cpu_seconds();
      run(way);
      cpu[static_cast<int>(way)] += thread_cpu_seconds() - t0;
    }
  const double outputs = static_cast<double>(T * kN) * static_cast<double>(state.iterations());
  for (Way way : {Way::Linear, Way::Split, Way::Fused})
    state.counters[std::string(way_name(way)) + "_ns"] = cpu[static_cast<int>(way)] / outputs * 1e9;
  // The fused epilogue's cost per output, and what the activation's own kernel costs.
  state.counters["epilogue_ns"] = (cpu[2] - cpu[0]) / outputs * 1e9;
  state.counters["own_kernel_ns"] = (cpu[1] - cpu[0]) / outputs * 1e9;
  state.counters["fused/split"] = cpu[2] / cpu[1];
}

}  // namespace

int main(int argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (!bench::take_target_arg(arg, g_target)) argv[kept++] = argv[i];
  }
  argc = kept;
  benchmark::Initialize(&argc, argv);
  std::printf("kernels for %s\n", g_target.str().c_str());
  for (ir::DType w : {ir::DType::q8_0x16, ir::DType::f32})
    for (Act a : {Act{"sigmoid"}, Act{"silu"}, Act{"gelu"}}) {
      std::string name = std::string("epilogue_") + a.op + "_" + std::string(ir::dtype_name(w));
      benchmark::RegisterBenchmark(name.c_str(), BM_epilogue, w, a)
          ->ArgName("T")
          ->Arg(1)
          ->Arg(16)
          ->Arg(64)
          ->Arg(512)
          ->Unit(benchmark::kMicrosecond);
    }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
