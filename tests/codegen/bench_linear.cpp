// Micro-benchmark of the generated linear kernels (target `bench_linear`).
//
// Decode: block-weight linears (q8_0 and q4_1, row-major and in panels) at Gemma 3
// shapes with one input row, reported as weight GB/s next to the memory read bandwidth
// of this process (an AVX2 sum over 1 GiB) at the same thread count. "cold" rotates
// over copies of the weights larger than the last-level cache, as a decode step sees
// them; "hot" reuses one copy.
// Prefill: 512 rows, GFLOP/s against the AVX2 FMA peak (a register-only FMA loop);
// batch: the few rows of batched decode steps (and prompt chunks) likewise, hot.
// On a shared machine wall-clock rates are meaningless, so single-thread runs also
// report cpu_* rates from the thread's CPU time (the probe and peak likewise).
// `--target=native` compiles the kernels for this CPU (VNNI, AVX-512) instead of the AVX2
// baseline, as `lmc run FILE.gguf` does; `--prefill=KERNEL` gives the linears that prefill
// kernel (ir/prefill_kernel.h: vnni, int8_tiles, bf16_tiles), and LMC_AMX_BF16=1 asks for
// bf16_tiles as lmc's --amx-bf16 does; with LMC_NO_AMX=1 the target leaves the tiles out.
// decode_bf16: the bf16 tile GEMM's weight decode alone (the bf16_panels kernel), in weights
// per second; it needs no tile unit, so any host times the part of that GEMM that dominated.
// tower4096: a vision tower's f32 linears over one 896 px image's 4096 patches.
#include <benchmark/benchmark.h>
#include <immintrin.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "codegen/kernel_compiler.h"
#include "codegen/kernel_library.h"
#include "ir/prefill_kernel.h"
#include "support/tile_state.h"
#include "tests/codegen/bench_util.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace {

using namespace lmc;
using bench::cpu_seconds;
using bench::fma_peak_gflops;
using bench::pool;
using bench::seconds;
using bench::thread_cpu_seconds;

struct AlignedBuffer {
  std::unique_ptr<char, decltype(&std::free)> p{nullptr, &std::free};
  size_t size = 0;
  explicit AlignedBuffer(size_t n)
      : p(static_cast<char*>(std::aligned_alloc(4096, (n + 4095) / 4096 * 4096)), &std::free), size(n) {
    std::memset(p.get(), 1, n);  // fault the pages in before timing
  }
  char* data() const { return p.get(); }
};

__attribute__((target("avx2"))) float sum_bytes(const char* p, size_t n) {
  __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i + 128 <= n; i += 128) {
    a0 = _mm256_add_ps(a0, _mm256_load_ps(reinterpret_cast<const float*>(p + i)));
    a1 = _mm256_add_ps(a1, _mm256_load_ps(reinterpret_cast<const float*>(p + i + 32)));
    a2 = _mm256_add_ps(a2, _mm256_load_ps(reinterpret_cast<const float*>(p + i + 64)));
    a3 = _mm256_add_ps(a3, _mm256_load_ps(reinterpret_cast<const float*>(p + i + 96)));
  }
  __m256 s = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
  float out[8];
  _mm256_storeu_ps(out, s);
  return out[0] + out[1] + out[2] + out[3] + out[4] + out[5] + out[6] + out[7];
}

// Best of several passes over 1 GiB, split across the pool's threads.
double read_bandwidth_gbs(int threads, bool cpu_time = false) {
  static AlignedBuffer buf(size_t{1} << 30);
  double best = 1e30;
  std::atomic<float> sink{0};
  for (int rep = 0; rep < 5; ++rep) {
    best = std::min(best, (cpu_time ? cpu_seconds : seconds)([&] {
                      pool(threads).run([&](int id) {
                        size_t part = buf.size / threads;
                        sink = sink + sum_bytes(buf.data() + part * id, part);
                      });
                    }));
  }
  return buf.size / best / 1e9;
}

double g_read_bw[3];
double g_fma_peak;
double g_read_bw_cpu;  // one thread, by CPU time
double g_fma_peak_cpu;

struct Shape {
  int64_t K, N;
  ir::DType wtype = ir::DType::q8_0;  // q8_0, q4_1, q4_k or q6_k, row-major or in panels
};

std::string g_prefill;  // --prefill's kernel (or LMC_AMX_BF16's), "" for the target's default

codegen::KernelDesc block_linear(Shape s) {
  codegen::KernelDesc d;
  d.kind = "linear";
  d.operands = {test::make_type(ir::DType::f32, {test::T(), test::D(s.K)}),
                test::make_type(s.wtype, {test::D(s.N), test::D(s.K)})};
  d.results = {test::make_type(ir::DType::f32, {test::T(), test::D(s.N)})};
  if (!g_prefill.empty()) d.attrs["prefill"] = g_prefill;
  return d;
}

codegen::KernelDesc bf16_panels(Shape s) {
  codegen::KernelDesc d;
  d.kind = "bf16_panels";
  d.operands = {test::make_type(s.wtype, {test::D(s.N), test::D(s.K)})};
  d.results = {test::make_type(ir::DType::bf16, {test::D((s.N + 31) / 32 * 32), test::D(s.K)})};
  return d;
}

codegen::TargetSpec g_target = codegen::baseline_target();

using bench::Kernel;

Kernel compile_kernel(const codegen::KernelDesc& d) { return bench::compile_kernel(g_target, d); }

// Random block weights: real-looking bytes without the cost of quantizing 100s of MB —
// small positive f16 scales (d, and m for q4_1) where the layout keeps them, random
// quants elsewhere. A panel's block holds the same bytes as its rows' blocks, its 16
// rows' scales first. A K type's super-block has its f16 d (and dmin) at its own places;
// its panels are the packer's.
void fill_super_blocks(char* p, Shape s, int64_t rows) {
  if (ir::dtype_panel_rows(s.wtype) > 1) {
    std::vector<uint8_t> row_major(static_cast<size_t>(ir::dtype_row_bytes(s.wtype, s.K) * rows));
    fill_super_blocks(reinterpret_cast<char*>(row_major.data()), Shape{s.K, s.N, ir::panel_base(s.wtype)}, rows);
    std::vector<uint8_t> panels = test::to_panels(row_major, s.wtype, rows, s.K);
    std::memcpy(p, panels.data(), panels.size());
    return;
  }
  const int64_t bytes = ir::dtype_block_bytes(s.wtype), blocks = rows * s.K / 256;
  const std::vector<int64_t> halves =
      s.wtype == ir::DType::q6_k ? std::vector<int64_t>{208} : std::vector<int64_t>{0, 2};
  uint32_t r = 12345;
  for (int64_t j = 0; j < blocks * bytes; ++j) {
    r = r * 1664525u + 1013904223u;
    p[j] = static_cast<char>(r >> 24);
  }
  for (int64_t b = 0; b < blocks; ++b)
    for (int64_t at : halves) {
      uint16_t d = static_cast<uint16_t>(0x2000 + (b & 0x3ff));
      std::memcpy(p + b * bytes + at, &d, 2);
    }
}

void fill_blocks(char* p, Shape s, int64_t rows) {
  if (s.wtype == ir::DType::f32) {
    std::vector<float> w = test::random_floats(rows * s.K, 7);
    std::memcpy(p, w.data(), w.size() * sizeof(float));
    return;
  }
  if (ir::dtype_block_elems(s.wtype) == 256) return fill_super_blocks(p, s, rows);
  const ir::BlockHead head = ir::dtype_block_head(s.wtype);
  const int64_t group = ir::dtype_panel_rows(s.wtype), blocks = rows * s.K / 32;
  const int64_t block_bytes = ir::dtype_block_bytes(s.wtype), scales = head.bytes() * group;
  uint32_t r = 12345;
  for (int64_t b = 0; b < blocks; b += group) {
    char* at = p + block_bytes * b;
    for (int64_t i = 0; i < scales; i += 2) {
      uint16_t d = static_cast<uint16_t>(0x2000 + ((b + i) & 0x3ff));  // a small positive f16
      std::memcpy(at + i, &d, 2);
    }
    for (int64_t j = scales; j < block_bytes * group; ++j) {
      r = r * 1664525u + 1013904223u;
      at[j] = static_cast<char>(r >> 24);
    }
  }
}

// "decode_q8_0x16_cold/640x2048"
std::string bench_name(const char* what, Shape s, const char* suffix = "") {
  return std::string(what) + "_" + std::string(ir::dtype_name(s.wtype)) + suffix + "/" + std::to_string(s.K) + "x" +
         std::to_string(s.N);
}

// The work items (columns for decode, rows for prefill) in one share per thread.
void run_linear(const Kernel& k, void* x, void* w, void* y, int64_t T, int threads) {
  int64_t syms[ir::kNumSyms] = {T, 1};
  int64_t items = k.info.items(syms);
  void* args[] = {x, w, y};
  pool(threads).run([&](int id) {
    // Cut on a multiple of 16 so neither part runs a column tail.
    int64_t cut = items / threads / 16 * 16;
    int64_t begin = id == 0 ? 0 : cut, end = id == 0 && threads > 1 ? cut : items;
    k.fn(args, syms, begin, end);
  });
}

void BM_decode(benchmark::State& state, Shape s, bool cold) {
  int threads = static_cast<int>(state.range(0));
  Kernel k = compile_kernel(block_linear(s));
  size_t wbytes = static_cast<size_t>(ir::dtype_row_bytes(s.wtype, s.K) * s.N);
  size_t copies = cold ? std::max<size_t>(1, (size_t{512} << 20) / wbytes) : 1;
  AlignedBuffer w(wbytes * copies);
  for (size_t c = 0; c < copies; ++c) fill_blocks(w.data() + c * wbytes, s, s.N);
  auto x = test::random_floats(s.K, 1);
  std::vector<float> y(s.N);
  size_t i = 0;
  auto t0 = std::chrono::steady_clock::now();
  double cpu0 = thread_cpu_seconds();
  for (auto _ : state) {
    run_linear(k, x.data(), w.data() + (i++ % copies) * wbytes, y.data(), 1, threads);
  }
  double cpu = thread_cpu_seconds() - cpu0;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double gbs = static_cast<double>(wbytes) * state.iterations() / elapsed / 1e9;
  state.counters["GB/s"] = gbs;
  state.counters["read_bw"] = g_read_bw[threads];
  state.counters["of_read_bw"] = gbs / g_read_bw[threads];
  if (threads == 1) {
    double cpu_gbs = static_cast<double>(wbytes) * state.iterations() / cpu / 1e9;
    state.counters["cpu_GB/s"] = cpu_gbs;
    state.counters["cpu_of_read_bw"] = cpu_gbs / g_read_bw_cpu;
  }
}

// T rows (the second argument) against weights in cache.
void BM_rows(benchmark::State& state, Shape s) {
  int threads = static_cast<int>(state.range(0));
  const int64_t T = state.range(1);
  Kernel k = compile_kernel(block_linear(s));
  AlignedBuffer w(static_cast<size_t>(ir::dtype_row_bytes(s.wtype, s.K) * s.N));
  fill_blocks(w.data(), s, s.N);
  auto x = test::random_floats(T * s.K, 1);
  std::vector<float> y(T * s.N);
  auto t0 = std::chrono::steady_clock::now();
  double cpu0 = thread_cpu_seconds();
  for (auto _ : state) run_linear(k, x.data(), w.data(), y.data(), T, threads);
  double cpu = thread_cpu_seconds() - cpu0;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double flops = 2.0 * T * s.N * s.K * state.iterations();
  state.counters["GFLOP/s"] = flops / elapsed / 1e9;
  state.counters["fma_peak"] = g_fma_peak * threads;
  state.counters["of_peak"] = flops / elapsed / 1e9 / (g_fma_peak * threads);
  if (threads == 1) state.counters["cpu_of_peak"] = flops / cpu / 1e9 / g_fma_peak_cpu;
}

// The weights decoded into bf16 B tiles, a column pair at a time, each pair's panel into
// one buffer of K x 32 bf16 (its kernel argument moved back by the pair's offset) that stays
// in L2, as the GEMM's k blocks do; weights in cache, one share of the pairs per thread.
void BM_decode_bf16(benchmark::State& state, Shape s) {
  int threads = static_cast<int>(state.range(0));
  Kernel k = compile_kernel(bf16_panels(s));
  AlignedBuffer w(static_cast<size_t>(ir::dtype_row_bytes(s.wtype, s.K) * s.N));
  fill_blocks(w.data(), s, s.N);
  const int64_t pairs = (s.N + 31) / 32, pair_bytes = 64 * s.K;
  std::vector<AlignedBuffer> panels;
  for (int t = 0; t < threads; ++t) panels.emplace_back(static_cast<size_t>(pair_bytes));
  int64_t syms[ir::kNumSyms] = {1, 1};
  auto t0 = std::chrono::steady_clock::now();
  double cpu0 = thread_cpu_seconds();
  for (auto _ : state)
    pool(threads).run([&](int id) {
      for (int64_t pair = pairs * id / threads; pair < pairs * (id + 1) / threads; ++pair) {
        auto out = reinterpret_cast<uintptr_t>(panels[static_cast<size_t>(id)].data()) - pair * pair_bytes;
        void* args[] = {w.data(), reinterpret_cast<void*>(out)};
        k.fn(args, syms, pair, pair + 1);
      }
    });
  double cpu = thread_cpu_seconds() - cpu0;
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double weights = static_cast<double>(s.N * s.K) * state.iterations();
  state.counters["Gweights/s"] = weights / elapsed / 1e9;
  if (threads == 1) state.counters["cpu_Gweights/s"] = weights / cpu / 1e9;
}

}  // namespace

// Takes --target=baseline|native and --prefill=VARIANT out of argv (the rest is Google
// Benchmark's).
void take_target_flag(int& argc, char** argv) {
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (bench::take_target_arg(arg, g_target)) continue;
    if (arg.starts_with("--prefill="))
      g_prefill = arg.substr(std::string("--prefill=").size());
    else
      argv[kept++] = argv[i];
  }
  argc = kept;
}

int main(int argc, char** argv) {
  if (tile_state().bf16) g_prefill = ir::prefill_kernel_name(ir::PrefillKernel::Bf16Tiles);
  take_target_flag(argc, argv);
  benchmark::Initialize(&argc, argv);
  std::printf("kernels for %s\n", g_target.str().c_str());
  g_read_bw[1] = read_bandwidth_gbs(1);
  g_read_bw[2] = read_bandwidth_gbs(2);
  g_fma_peak = fma_peak_gflops();
  g_read_bw_cpu = read_bandwidth_gbs(1, true);
  g_fma_peak_cpu = fma_peak_gflops(true);
  std::printf("read bandwidth (1 GiB AVX2 sum): 1 thread %.1f GB/s, 2 threads %.1f GB/s\n", g_read_bw[1], g_read_bw[2]);
  std::printf("AVX2 FMA peak: %.1f GFLOP/s per core\n", g_fma_peak);
  std::printf("by thread CPU time: read bandwidth %.1f GB/s, FMA peak %.1f GFLOP/s\n", g_read_bw_cpu, g_fma_peak_cpu);

  for (ir::DType wt : {ir::DType::q8_0, ir::DType::q8_0x16, ir::DType::q4_1, ir::DType::q4_1x16, ir::DType::q4_k,
                       ir::DType::q4_kx16, ir::DType::q6_k, ir::DType::q6_kx16}) {
    // Gemma 3 270M's shapes and Mistral 7B's FFN (gate/up, then down).
    for (Shape s : {Shape{640, 2048, wt}, Shape{2048, 640, wt}, Shape{640, 262144, wt}, Shape{1152, 6912, wt},
                    Shape{4096, 14336, wt}, Shape{14336, 4096, wt}}) {
      if (s.K % ir::dtype_block_elems(wt)) continue;
      benchmark::RegisterBenchmark(bench_name("decode", s, "_cold").c_str(), BM_decode, s, true)
          ->Arg(1)
          ->Arg(2)
          ->UseRealTime();
      if (s.N < 100000 && s.N * s.K < 16 << 20)
        benchmark::RegisterBenchmark(bench_name("decode", s, "_hot").c_str(), BM_decode, s, false)
            ->Arg(1)
            ->Arg(2)
            ->UseRealTime();
    }
    for (Shape s : {Shape{640, 2048, wt}, Shape{1152, 6912, wt}, Shape{2048, 640, wt}, Shape{4096, 14336, wt}})
      if (s.K % ir::dtype_block_elems(wt) == 0)
        benchmark::RegisterBenchmark(bench_name("prefill512", s).c_str(), BM_rows, s)
            ->Args({1, 512})
            ->Args({2, 512})
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
    // A 64-token prompt at Mistral 7B's FFN shapes: ffn_down's 14336-wide rows leave room in
    // L2 for few quantized input rows at once.
    for (Shape s : {Shape{4096, 14336, wt}, Shape{14336, 4096, wt}})
      if (s.K % ir::dtype_block_elems(wt) == 0)
        benchmark::RegisterBenchmark(bench_name("prefill64", s).c_str(), BM_rows, s)
            ->Args({1, 64})
            ->Args({2, 64})
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
    for (Shape s : {Shape{4096, 14336, wt}, Shape{14336, 4096, wt}})
      if (s.K % ir::dtype_block_elems(wt) == 0)
        benchmark::RegisterBenchmark(bench_name("decode_bf16", s).c_str(), BM_decode_bf16, s)
            ->Arg(1)
            ->Arg(2)
            ->UseRealTime()
            ->Unit(benchmark::kMillisecond);
    for (Shape s : {Shape{640, 2048, wt}, Shape{1152, 6912, wt}, Shape{640, 262144, wt}}) {
      if (s.K % ir::dtype_block_elems(wt)) continue;
      auto* b = benchmark::RegisterBenchmark(bench_name("batch", s).c_str(), BM_rows, s);
      for (int64_t T : {1, 2, 4, 5, 6, 7, 8, 9, 16}) b->Args({1, T});
      b->UseRealTime()->Unit(benchmark::kMicrosecond);
    }
  }
  // A vision tower's f32 linears at 896 px (SigLIP so400m: 4096 patches, width 1152, MLP
  // 4304; the patch embedding's K = 14 x 14 x 3), as `lmc encode-image` runs them: FMA on
  // the vector kernels, the bf16 tiles with --prefill=bf16_tiles (the weights rounded once per call).
  for (Shape s : {Shape{588, 1152, ir::DType::f32}, Shape{1152, 3456, ir::DType::f32},
                  Shape{1152, 4304, ir::DType::f32}, Shape{4304, 1152, ir::DType::f32}})
    benchmark::RegisterBenchmark(bench_name("tower4096", s).c_str(), BM_rows, s)
        ->Args({1, 4096})
        ->Args({2, 4096})
        ->UseRealTime()
        ->Unit(benchmark::kMillisecond);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
