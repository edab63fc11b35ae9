// Seeded random weights for a graph's params when lmc exec is given none: written as a
// GGUF file, one tensor per param name with the param's shape, in a private temporary
// directory, and compiled against like any --weights file. A param is written in the
// block type its `stored =` names (the seeded values quantized, models/quant/quantize.h),
// as a downloaded file stores it, so that the passes keep those blocks and the kernels
// read them, while a pipeline that reads the param as f32 gets the blocks' values; any
// other param as F32, which the packer converts into whatever dtype the passes chose
// (Q8_0, panels, f16). Values are scaled so that activations stay of order 1: a matrix's
// entries are normal with variance 1/columns (a linear keeps its input's scale), a
// vector's (a norm's weight, a bias) are 1 + N(0, 0.1^2).
#pragma once
#include <cstdint>
#include <string>

#include "ir/graph.h"

namespace lmc::driver {

class RandomWeightsFile {
 public:
  // Throws lmc::Error "<graph_path>:<line>: error: ..." for a param named by a weight
  // transform (q8_0(w), cat(a,b)), whose parts' shapes the graph does not say, one name
  // given two shapes, or one stored in a type models::quantize_row does not write or whose
  // blocks do not divide its rows.
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
