// What the kernel micro-benchmarks (bench_linear, bench_attention) share: a spinning
// two-thread pool, wall-clock and thread CPU timers, and the AVX2 FMA peak they report
// GFLOP/s against. On a shared machine wall-clock rates are meaningless, so
// single-thread runs also report rates from the thread's CPU time.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "codegen/kernel_abi.h"
#include "codegen/kernel_compiler.h"
#include "codegen/target.h"

namespace lmc::bench {

// Two-thread fork/join with spinning workers, so that a kernel call of a few
// microseconds is not dominated by waking a thread.
class SpinPool {
 public:
  explicit SpinPool(int threads);
  ~SpinPool();
  int size() const { return n_; }
  // Runs f(0) .. f(size() - 1), one per thread, and waits for all.
  void run(const std::function<void(int)>& f);

 private:
  void loop(int id);
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> gen_{0};
  std::atomic<int> done_{0};
  std::atomic<bool> stop_{false};
  const std::function<void(int)>* job_ = nullptr;
  int n_ = 1;
};

// The pool of 1 or 2 threads.
SpinPool& pool(int threads);

double thread_cpu_seconds();
double cpu_seconds(const std::function<void()>& f);  // f's CPU time on this thread
double seconds(const std::function<void()>& f);      // f's wall-clock time

// FMA throughput of one core in GFLOP/s (2 flops per lane), by wall-clock or CPU time.
double fma_peak_gflops(bool cpu_time = false);

// True when `arg` is --target=native or --target=baseline, with `target` set to the target it
// names (native: this CPU's own ISA, as `lmc run FILE.gguf` compiles for).
bool take_target_arg(const std::string& arg, codegen::TargetSpec& target);

// A kernel compiled for `target`, its code kept loaded for the benchmark's life.
struct Kernel {
  lmc_kernel_fn fn;
  codegen::KernelInfo info;
};
Kernel compile_kernel(const codegen::TargetSpec& target, const codegen::KernelDesc& d);

}  // namespace lmc::bench
