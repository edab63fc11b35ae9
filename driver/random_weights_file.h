// Seeded random weights for a graph's params when lmc exec is given none: written as a
// SafeTensors file of F32 tensors, one per param name with the param's shape, in a private
// temporary directory, and compiled against like any --weights file, so that the packer
// converts them into whatever dtype the passes chose (Q8_0, panels, f16). Values are scaled
// so that activations stay of order 1: a matrix's entries are normal with variance
// 1/columns (a linear keeps its input's scale), a vector's (a norm's weight, a bias) are
// 1 + N(0, 0.1^2).
#pragma once
#include <cstdint>
#include <string>

#include "ir/graph.h"

namespace lmc::driver {

class RandomWeightsFile {
 public:
  // Throws lmc::Error "<graph_path>:<line>: error: ..." for a param named by a weight
  // transform (q8_0(w), cat(a,b)), whose parts' shapes the graph does not say, or one name
  // given two shapes.
  RandomWeightsFile(const ir::Graph& g, const std::string& graph_path, uint64_t seed);
  ~RandomWeightsFile();  // removes the file and its directory
  RandomWeightsFile(const RandomWeightsFile&) = delete;
  RandomWeightsFile& operator=(const RandomWeightsFile&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string dir_, path_;
};

// Whether `g` has a param.
bool has_params(const ir::Graph& g);

}  // namespace lmc::driver
