// The tensors a projector's vision tower reads, by llama.cpp's GGUF names, with the shape
// each must have (outermost first, as GgufTensor's) under the file's hyper-parameters.
// Gemma 3's (projector "gemma3"): SigLIP's patch embedding (a convolution whose kernel is
// the patch) and learned positions, its pre-norm blocks (LayerNorm, attention with biases,
// LayerNorm, a two-layer MLP), the post LayerNorm, then the projector's RMS norm weight
// (mm.soft_emb_norm) and the projection to the text width (mm.input_projection, stored
// [width, text width], the transpose of a linear's weight).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/vision/mmproj.h"

namespace lmc::models {

struct VisionTensor {
  std::string name;
  std::vector<int64_t> shape;
  // A block's linear weight, which may be stored in a quantized type; every other tensor
  // (added, multiplied, convolved or transposed as it is) must be f32, f16 or bf16.
  bool quantizable = false;
};

// Throws lmc::Error naming `path` unless lmc reads `projector`'s tower.
void check_projector(const std::string& projector, const std::string& path);

// Every tensor `hp.projector` needs (check_projector's refusal for another).
std::vector<VisionTensor> vision_tensors(const VisionHParams& hp, const std::string& path);

}  // namespace lmc::models
