#include "driver/seeded_random.h"

#include <cmath>
#include <numbers>

namespace lmc::driver {

namespace {

// FNV-1a: a stable hash of the name (std::hash's is the library's choice).
uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ull;
  return h;
}

}  // namespace

SeededRandom::SeededRandom(uint64_t seed, std::string_view name) : bits_(seed ^ fnv1a(name)) {}

double SeededRandom::uniform() { return static_cast<double>(bits_() >> 11) * 0x1p-53; }

float SeededRandom::normal() {
  double u = 1.0 - uniform();  // in (0, 1]: the logarithm stays finite
  return static_cast<float>(std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * std::numbers::pi * uniform()));
}

int64_t SeededRandom::below(int64_t n) { return static_cast<int64_t>(uniform() * static_cast<double>(n)); }

}  // namespace lmc::driver
