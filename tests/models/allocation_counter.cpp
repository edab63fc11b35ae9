#include "tests/models/allocation_counter.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace {

std::atomic<uint64_t> g_calls{0};
std::atomic<uint64_t> g_bytes{0};

}  // namespace

// The replaceable global allocation functions; every other form (arrays, nothrow) calls
// these in libstdc++, and the aligned forms are left alone (no reader uses over-aligned types).
void* operator new(std::size_t n) {
  g_calls.fetch_add(1, std::memory_order_relaxed);
  g_bytes.fetch_add(n, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}

void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }

namespace lmc::test {

Allocations count_allocations(const std::function<void()>& f) {
  const uint64_t calls = g_calls.load(), bytes = g_bytes.load();
  f();
  return {g_calls.load() - calls, g_bytes.load() - bytes};
}

}  // namespace lmc::test
