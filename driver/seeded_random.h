// Reproducible random values for lmc exec's generated inputs and weights. Each tensor draws
// from a stream of its own, keyed by the seed and its name, so its values do not depend on
// which other tensors the graph has; and the values are the same with every standard
// library (mt19937_64's sequence is fixed by the standard, std::normal_distribution's
// algorithm is not, hence Box-Muller here).
#pragma once
#include <cstdint>
#include <random>
#include <string_view>

namespace lmc::driver {

class SeededRandom {
 public:
  SeededRandom(uint64_t seed, std::string_view name);
  double uniform();          // in [0, 1)
  float normal();            // standard normal
  int64_t below(int64_t n);  // in [0, n)

 private:
  std::mt19937_64 bits_;
};

}  // namespace lmc::driver
