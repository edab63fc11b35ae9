#include "driver/bandwidth_probe.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace lmc::driver {

namespace {

constexpr size_t kBytes = size_t{512} << 20;  // well past any last-level cache
constexpr int kPasses = 3;                    // per way of reading; the median counts
// How far ahead of its reads a pass prefetches (0: the hardware prefetchers alone). The
// decode kernels prefetch ahead, which on some hosts reads half as fast again as a plain
// loop: the probe must reach what the best kernel reaches, or the roofline reads past 100%.
constexpr size_t kAhead[] = {0, 4096, 16384};

// Integer sum of a thread's share, 64 bytes per step, so the compiler vectorises it; the
// result is kept so the reads stay.
uint64_t sum_words(const uint64_t* p, size_t n, size_t ahead_words) {
  uint64_t s[8] = {};
  for (size_t i = 0; i + 8 <= n; i += 8) {
    if (ahead_words) __builtin_prefetch(p + std::min(i + ahead_words, n - 1), 0, 2);
    for (int j = 0; j < 8; ++j) s[j] += p[i + j];
  }
  return s[0] ^ s[1] ^ s[2] ^ s[3] ^ s[4] ^ s[5] ^ s[6] ^ s[7];
}

// Bytes per second of one pass: the threads are started first and released together, so
// the time is the reading alone.
double one_pass(const uint64_t* buf, size_t words, int threads, size_t ahead, volatile uint64_t& sink) {
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<uint64_t> partial(static_cast<size_t>(threads));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t)
    pool.emplace_back([&, t] {
      size_t per = words / static_cast<size_t>(threads);
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) std::this_thread::yield();
      partial[static_cast<size_t>(t)] = sum_words(buf + static_cast<size_t>(t) * per, per, ahead / 8);
    });
  while (ready.load() < threads) std::this_thread::yield();
  auto t0 = std::chrono::steady_clock::now();
  go.store(true, std::memory_order_release);
  for (auto& th : pool) th.join();
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (uint64_t p : partial) sink = sink ^ p;
  return static_cast<double>(kBytes) / s;
}

}  // namespace

double measure_read_bandwidth(int threads) {
  size_t words = kBytes / 8;
  std::unique_ptr<uint64_t[]> buf(new uint64_t[words]);
  std::memset(buf.get(), 1, kBytes);  // touch every page before timing
  volatile uint64_t sink = 0;
  double best = 0;
  for (size_t ahead : kAhead) {
    std::vector<double> rates;
    for (int pass = 0; pass < kPasses; ++pass) rates.push_back(one_pass(buf.get(), words, threads, ahead, sink));
    std::sort(rates.begin(), rates.end());
    best = std::max(best, rates[rates.size() / 2]);
  }
  return best;
}

}  // namespace lmc::driver
