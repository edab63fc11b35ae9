// Where the executor finds the bytes of a `param` value: a pointer to the packed
// tensor in the param's dtype (f32 row-major, f16, or q8_0 blocks). An artifact maps
// them from its file; a driver without an artifact can serve them from memory.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lmc::runtime {

class WeightProvider {
 public:
  virtual ~WeightProvider() = default;
  // Throws lmc::Error naming the weight when there is no tensor of that name.
  virtual const void* get(const std::string& name) const = 0;
  // The memory the weights lie in (an artifact's mapped weights section, or each packed
  // tensor), for locking it in RAM (runtime/memory_lock.h); none for a provider that
  // computes its tensors on request.
  virtual std::vector<std::string_view> spans() const { return {}; }
};

}  // namespace lmc::runtime
