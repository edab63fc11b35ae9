#include "driver/bandwidth_probe.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>

namespace lmc::driver {

namespace {

constexpr size_t kBytes = size_t{512} << 20;  // well past any last-level cache

// Integer sum so the compiler vectorises it; the result is kept so the reads stay.
uint64_t sum_words(const uint64_t* p, size_t n) {
  uint64_t a = 0, b = 0, c = 0, d = 0;
  for (size_t i = 0; i + 4 <= n; i += 4) {
    a += p[i];
    b += p[i + 1];
    c += p[i + 2];
    d += p[i + 3];
  }
  return a ^ b ^ c ^ d;
}

}  // namespace

double measure_read_bandwidth(int threads) {
  size_t words = kBytes / 8;
  std::unique_ptr<uint64_t[]> buf(new uint64_t[words]);
  std::memset(buf.get(), 1, kBytes);  // touch every page before timing
  std::vector<double> rates;
  volatile uint64_t sink = 0;
  for (int pass = 0; pass < 5; ++pass) {
    std::vector<std::thread> pool;
    std::vector<uint64_t> partial(threads);
    auto t0 = std::chrono::steady_clock::now();
    for (int t = 0; t < threads; ++t)
      pool.emplace_back([&, t] {
        size_t per = words / threads;
        partial[t] = sum_words(buf.get() + t * per, per);
      });
    for (auto& th : pool) th.join();
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    for (uint64_t p : partial) sink = sink ^ p;
    rates.push_back(kBytes / s);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

}  // namespace lmc::driver
