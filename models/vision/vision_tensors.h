// The projectors lmc reads and the tensors each one's vision tower reads, by llama.cpp's GGUF
// names, with the shape each must have (outermost first, as GgufTensor's) under the file's
// hyper-parameters: the name map of a vision architecture, beside its definition
// (models/<projector>-vision.yaml), which computes with them.
//  * Gemma 3's ("gemma3"): SigLIP's patch embedding (a convolution whose kernel is the patch,
//    with a bias) and learned positions, pre-norm blocks (LayerNorm, attention with biases,
//    LayerNorm, a two-layer MLP), the post LayerNorm, then the projector's RMS norm weight
//    (mm.soft_emb_norm) and the projection to the text width (mm.input_projection, stored
//    [width, text width], the transpose of a linear's weight). Pools the patch grid
//    (clip.vision.projector.scale_factor, default 4).
//  * LLaVA-1.5's ("mlp"): CLIP's patch embedding (no bias), its class embedding (v.class_embd)
//    and a position for each patch and the class token, the pre LayerNorm, the same blocks,
//    then the two-layer MLP projector mm.0 and mm.2 ([text width, width] and [text width,
//    text width]). No pooling.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "models/vision/mmproj.h"

namespace lmc::models {

struct VisionTensor {
  std::string name;
  std::vector<int64_t> shape;
  // A block's or the projector's linear weight, which may be stored in a quantized type;
  // every other tensor (added, multiplied, convolved or transposed as it is) must be f32,
  // f16 or bf16.
  bool quantizable = false;
};

struct ProjectorLayout {
  const char* name;            // clip.projector_type
  bool pools;                  // reads clip.vision.projector.scale_factor
  const char* projection;      // the tensor whose shape gives the text width
  size_t projection_axis;      // and its axis (outermost first)
  std::vector<VisionTensor> (*tensors)(const VisionHParams&);
};

// `projector`'s layout; throws lmc::Error naming `path` unless lmc reads it.
const ProjectorLayout& projector_layout(const std::string& projector, const std::string& path);

// Every tensor `hp.projector` needs (projector_layout's refusal for another).
std::vector<VisionTensor> vision_tensors(const VisionHParams& hp, const std::string& path);

}  // namespace lmc::models
