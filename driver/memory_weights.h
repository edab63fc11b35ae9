// Weights packed in memory for running a model YAML without an artifact.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "models/weight_source.h"
#include "runtime/artifact/weight_provider.h"

namespace lmc::driver {

class MemoryWeights : public runtime::WeightProvider {
 public:
  MemoryWeights() = default;  // no tensors: a graph without params
  // Packs every param of `g` from `source`.
  MemoryWeights(const ir::Graph& g, const models::WeightSource& source);
  const void* get(const std::string& name) const override;
  std::vector<std::string_view> spans() const override;
  uint64_t bytes() const { return bytes_; }

 private:
  std::map<std::string, std::vector<uint8_t>> tensors_;
  uint64_t bytes_ = 0;
};

}  // namespace lmc::driver
