#include "tests/codegen/bench_util.h"

#include <immintrin.h>
#include <time.h>

#include <chrono>
#include <memory>

#include "codegen/kernel_library.h"

namespace lmc::bench {

namespace {

// Spin first (a kernel call is microseconds), then yield so that a waiting
// thread does not hold the core when the machine is shared.
void relax(int spins) {
  if (spins < 4096)
    _mm_pause();
  else
    std::this_thread::yield();
}

// 12 independent FMA chains (enough to cover latency x ports), registers only.
__attribute__((target("avx2,fma"))) float fma_chains(int64_t iters) {
  __m256 acc[12];
  for (int i = 0; i < 12; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  __m256 m = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  for (int64_t it = 0; it < iters; ++it)
    for (int i = 0; i < 12; ++i) acc[i] = _mm256_fmadd_ps(acc[i], m, c);
  float sink = 0;
  for (int i = 0; i < 12; ++i) sink += _mm256_cvtss_f32(acc[i]);
  return sink;
}

}  // namespace

SpinPool::SpinPool(int threads) : n_(threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this, i] { loop(i); });
}

SpinPool::~SpinPool() {
  stop_ = true;
  gen_.fetch_add(1);
  for (auto& t : workers_) t.join();
}

void SpinPool::run(const std::function<void(int)>& f) {
  job_ = &f;
  done_.store(0);
  gen_.fetch_add(1, std::memory_order_release);
  f(0);
  for (int spins = 0; done_.load(std::memory_order_acquire) != n_ - 1; ++spins) relax(spins);
}

void SpinPool::loop(int id) {
  uint64_t seen = 0;
  for (;;) {
    uint64_t g;
    for (int spins = 0; (g = gen_.load(std::memory_order_acquire)) == seen; ++spins) relax(spins);
    seen = g;
    if (stop_) return;
    (*job_)(id);
    done_.fetch_add(1, std::memory_order_release);
  }
}

SpinPool& pool(int threads) {
  static SpinPool one(1), two(2);
  return threads == 1 ? one : two;
}

double thread_cpu_seconds() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

double cpu_seconds(const std::function<void()>& f) {
  double t0 = thread_cpu_seconds();
  f();
  return thread_cpu_seconds() - t0;
}

double seconds(const std::function<void()>& f) {
  auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double fma_peak_gflops(bool cpu_time) {
  constexpr int64_t kIters = 20'000'000;
  volatile float sink = 0;
  double t = (cpu_time ? cpu_seconds : seconds)([&] { sink = fma_chains(kIters); });
  return kIters * 12 * 8 * 2 / t / 1e9;
}

bool take_target_arg(const std::string& arg, codegen::TargetSpec& target) {
  if (arg != "--target=native" && arg != "--target=baseline") return false;
  codegen::TargetOptions t;
  t.native = arg == "--target=native";
  target = codegen::resolve_target(t);
  return true;
}

Kernel compile_kernel(const codegen::TargetSpec& target, const codegen::KernelDesc& d) {
  static std::vector<std::unique_ptr<codegen::KernelLibrary>> libs;
  codegen::KernelCompiler c(target);
  std::string name = c.add(d);
  libs.push_back(codegen::KernelLibrary::compile(c));
  return {libs.back()->lookup(name), c.kernels().front().info};
}

}  // namespace lmc::bench
