// An mmproj GGUF (llama.cpp's --mmproj: general.architecture "clip"), read as a vision
// tower: its clip.* hyper-parameters, checked for sense (positive, bounded, the image a
// whole number of patches and of pooling windows, the heads dividing the width), and its
// v.* / mm.* tensors checked against the projector's table (vision_tensors.h). Every
// refusal is an lmc::Error naming the file and the key or tensor.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "models/formats/gguf_file.h"

namespace lmc::models {

struct VisionHParams {
  std::string projector;               // clip.projector_type (or clip.vision.projector_type)
  int64_t image_size = 0;              // the square side the image is fitted to, in pixels
  int64_t patch_size = 0;              // a patch's side, in pixels
  int64_t embedding_length = 0;        // the encoder's width
  int64_t feed_forward_length = 0;     // its MLP's hidden width
  int64_t block_count = 0;             // its blocks
  int64_t head_count = 0;              // attention heads per block
  int64_t projection_dim = 0;          // the text model's width the projector maps to
  int64_t pool = 0;                    // gemma3: the side of the average-pooling window (else 1)
  double layer_norm_epsilon = 0;       // the blocks' LayerNorms and the soft embedding norm
  bool use_gelu = false;               // clip.use_gelu: GELU (else llama.cpp's quick GELU)
  std::array<float, 3> image_mean{};   // per RGB channel, on values scaled to [0, 1]
  std::array<float, 3> image_std{};

  int64_t patches_per_side() const { return image_size / patch_size; }
  int64_t patches() const { return patches_per_side() * patches_per_side(); }
  // The embeddings one image becomes in the text model's sequence (gemma3: 256).
  int64_t image_tokens() const { return (patches_per_side() / pool) * (patches_per_side() / pool); }
};

class MmprojFile {
 public:
  // Opens and checks `path`; throws lmc::Error.
  static std::unique_ptr<MmprojFile> open(const std::string& path);
  // Reads and checks an open GGUF (as lmc inspect has it).
  explicit MmprojFile(std::unique_ptr<GgufFile> gguf);

  const GgufFile& gguf() const { return *gguf_; }
  const VisionHParams& hparams() const { return hparams_; }

 private:
  std::unique_ptr<GgufFile> gguf_;
  VisionHParams hparams_;
};

// Whether `gguf` says it is an mmproj (general.architecture "clip"), checked or not.
bool is_mmproj(const GgufFile& gguf);

}  // namespace lmc::models
