// Where the executor finds the bytes of a `param` value: a pointer to the packed
// tensor in the param's dtype (f32 row-major, f16, or q8_0 blocks). An artifact maps
// them from its file; a driver without an artifact can serve them from memory.
#pragma once
#include <string>

namespace lmc::runtime {

class WeightProvider {
 public:
  virtual ~WeightProvider() = default;
  // Throws lmc::Error naming the weight when there is no tensor of that name.
  virtual const void* get(const std::string& name) const = 0;
};

}  // namespace lmc::runtime
