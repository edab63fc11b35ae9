// Micro-benchmark of the generated attention kernel (target `bench_attention`) at
// Gemma 3 270M's shape: 4 query heads, 1 kv head, head_dim 256, a 512-position
// sliding window on a ring of 1024 slots (window + a 512-row step), softcap off;
// and at the shape of Gemma 3's vision tower (SigLIP so400m at 896 px): 16 heads of
// 72 dims, 16 kv heads, bidirectional (causal = 0) over its 4096 patches.
//
// Prefill: a 512-row prompt from position 0 (the tower: its 4096 rows), GFLOP/s (q·k and
// the weighted sum of v, 4 flops per head, dimension and attended key) against the AVX2
// FMA peak.
// Decode: one row at position 511 (a full window), and a batch of 8 rows of 8
// sequences at 511, as time per call. Caches f16 (the default), q8_0 and f32.
// `--target=native` compiles the kernel for this CPU (AVX-512 where it has it), as
// `lmc run FILE.gguf` and `lmc encode-image` do, instead of the AVX2 baseline.
// One thread runs all work items in one call, as the runtime does; two threads take
// chunks from a shared counter, as its tbb::parallel_for hands out ranges (16 items
// at a time in a prefill, single items in decode).
#include <benchmark/benchmark.h>

#include <atomic>
#include <cmath>
#include <string>
#include <vector>

#include "codegen/target.h"
#include "tests/codegen/bench_util.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace {

using namespace lmc;

struct Shape {
  int64_t heads, kv_heads, head_dim, window, slots;
  bool causal;
};
constexpr Shape kGemma270m{4, 1, 256, 512, 1024, true};
constexpr Shape kVisionTower{16, 16, 72, 0, 4096, false};

double g_fma_peak;
double g_fma_peak_cpu;

codegen::KernelDesc attention(const Shape& sh, ir::DType cache) {
  codegen::KernelDesc d;
  d.kind = "attention";
  ir::Type q = test::make_type(ir::DType::f32, {test::T(), test::D(sh.heads * sh.head_dim)});
  ir::Type c = test::make_type(cache, {test::D(sh.slots), test::D(sh.kv_heads * sh.head_dim)});
  ir::Type ids = test::make_type(ir::DType::i32, {test::T()});
  d.operands = {q, c, c, ids, ids};
  d.results = {q};
  d.attrs["n_heads"] = sh.heads;
  d.attrs["n_kv_heads"] = sh.kv_heads;
  d.attrs["head_dim"] = sh.head_dim;
  d.attrs["scale"] = 1.0 / std::sqrt(static_cast<double>(sh.head_dim));
  if (sh.window) d.attrs["window"] = sh.window;
  if (!sh.causal) d.attrs["causal"] = int64_t{0};
  return d;
}

codegen::TargetSpec g_target = codegen::baseline_target();

lmc_kernel_fn compile_kernel(const Shape& sh, ir::DType cache) {
  return bench::compile_kernel(g_target, attention(sh, cache)).fn;
}

// One step of rows: queries, every sequence's cache filled, positions and sequences.
struct Step {
  Shape sh;
  std::vector<float> q, o;
  std::vector<uint8_t> k, v;
  std::vector<int32_t> positions, seqs;
  int64_t pairs = 0;  // attended (row, key) pairs

  Step(const Shape& shape, ir::DType cache, std::vector<int32_t> pos, std::vector<int32_t> seq)
      : sh(shape), positions(std::move(pos)), seqs(std::move(seq)) {
    int64_t sequences = seqs.back() + 1, width = sh.kv_heads * sh.head_dim;
    q = test::random_floats(positions.size() * sh.heads * sh.head_dim, 1, -2.0f, 2.0f);
    o.resize(q.size());
    auto keys = test::random_floats(static_cast<size_t>(sequences * sh.slots * width), 2, -2.0f, 2.0f);
    auto values = test::random_floats(static_cast<size_t>(sequences * sh.slots * width), 3);
    k = test::pack_cache_rows(keys.data(), sequences * sh.slots, width, cache);
    v = test::pack_cache_rows(values.data(), sequences * sh.slots, width, cache);
    // Bidirectional: every row reads its sequence's keys up to the step's last (one sequence here).
    for (int32_t p : positions) pairs += sh.causal ? std::min<int64_t>(p + 1, sh.window) : rows();
  }
  int64_t rows() const { return static_cast<int64_t>(positions.size()); }
};

void run(lmc_kernel_fn fn, Step& s, int threads, int64_t chunk) {
  int64_t syms[ir::kNumSyms] = {s.rows(), 1, s.sh.slots};
  void* args[] = {s.q.data(), s.k.data(), s.v.data(), s.positions.data(), s.seqs.data(), s.o.data()};
  int64_t items = s.rows() * s.sh.heads;
  if (threads == 1) {
    fn(args, syms, 0, items);
    return;
  }
  std::atomic<int64_t> next{0};
  bench::pool(threads).run([&](int) {
    for (int64_t b; (b = next.fetch_add(chunk)) < items;) fn(args, syms, b, std::min(items, b + chunk));
  });
}

void BM_prefill(benchmark::State& state, const Shape& sh, ir::DType cache, int32_t rows) {
  int threads = static_cast<int>(state.range(0));
  lmc_kernel_fn fn = compile_kernel(sh, cache);
  std::vector<int32_t> pos, seq;
  for (int32_t t = 0; t < rows; ++t) {
    pos.push_back(t);
    seq.push_back(0);
  }
  Step s(sh, cache, pos, seq);
  double cpu0 = bench::thread_cpu_seconds();
  double elapsed = bench::seconds([&] {
    for (auto _ : state) run(fn, s, threads, 16);
  });
  double cpu = bench::thread_cpu_seconds() - cpu0;
  double flops = 4.0 * static_cast<double>(s.pairs * sh.heads * sh.head_dim) * static_cast<double>(state.iterations());
  state.counters["GFLOP/s"] = flops / elapsed / 1e9;
  state.counters["of_peak"] = flops / elapsed / 1e9 / (g_fma_peak * threads);
  if (threads == 1) state.counters["cpu_of_peak"] = flops / cpu / 1e9 / g_fma_peak_cpu;
}

void BM_decode(benchmark::State& state, ir::DType cache, int rows) {
  int threads = static_cast<int>(state.range(0));
  lmc_kernel_fn fn = compile_kernel(kGemma270m, cache);
  std::vector<int32_t> pos(static_cast<size_t>(rows), kGemma270m.window - 1), seq;
  for (int i = 0; i < rows; ++i) seq.push_back(i);
  Step s(kGemma270m, cache, pos, seq);
  for (auto _ : state) run(fn, s, threads, 1);
}

// Takes --target=baseline|native out of argv (the rest is Google Benchmark's).
void take_target_flag(int& argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i)
    if (!bench::take_target_arg(argv[i], g_target)) argv[kept++] = argv[i];
  argc = kept;
}

}  // namespace

int main(int argc, char** argv) {
  take_target_flag(argc, argv);
  benchmark::Initialize(&argc, argv);
  std::printf("kernels for %s\n", g_target.str().c_str());
  g_fma_peak = bench::fma_peak_gflops();
  g_fma_peak_cpu = bench::fma_peak_gflops(true);
  std::printf("AVX2 FMA peak: %.1f GFLOP/s per core (%.1f by thread CPU time)\n", g_fma_peak, g_fma_peak_cpu);
  for (ir::DType cache : {ir::DType::f16, ir::DType::q8_0, ir::DType::f32}) {
    std::string name(ir::dtype_name(cache));
    benchmark::RegisterBenchmark(("prefill512/" + name).c_str(), BM_prefill, kGemma270m, cache, 512)
        ->Arg(1)
        ->Arg(2)
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark(("decode/" + name).c_str(), BM_decode, cache, 1)
        ->Arg(1)
        ->Arg(2)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(("decode8/" + name).c_str(), BM_decode, cache, 8)
        ->Arg(1)
        ->Arg(2)
        ->UseRealTime()
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("vision4096/f16", BM_prefill, kVisionTower, ir::DType::f16, 4096)
      ->Arg(1)
      ->Arg(2)
      ->UseRealTime()
      ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
