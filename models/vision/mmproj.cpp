#include "models/vision/mmproj.h"

#include <cmath>
#include <cstdio>

#include "models/quant/ggml_type.h"
#include "models/vision/vision_tensors.h"
#include "support/error.h"

namespace lmc::models {

namespace {

// Past these a file is not a vision tower but an attempt to overflow the sizes derived from
// them (the largest real towers are 1152 wide with 27 blocks at 896 px).
constexpr int64_t kMaxImageSize = 16384;
constexpr int64_t kMaxWidth = int64_t{1} << 16;
constexpr int64_t kMaxBlocks = 1024;

constexpr const char* kImageSize = "clip.vision.image_size";
constexpr const char* kPatchSize = "clip.vision.patch_size";
constexpr const char* kPool = "clip.vision.projector.scale_factor";

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

Error meta_error(const GgufFile& f, const std::string& key, const std::string& what) {
  return error_at(f.path(), "metadata '" + key + "' " + what);
}

int64_t bounded_int(const GgufFile& f, const std::string& key, int64_t max) {
  const int64_t v = f.get_int(key);
  if (v <= 0 || v > max) throw meta_error(f, key, "is " + std::to_string(v) + ", expected 1 to " + std::to_string(max));
  return v;
}

bool get_bool(const GgufFile& f, const std::string& key, bool fallback) {
  const MetaValue* m = f.find(key);
  if (!m) return fallback;
  if (const bool* b = std::get_if<bool>(&m->v)) return *b;
  throw meta_error(f, key, "is not a bool");
}

std::string projector_type(const GgufFile& f) {
  for (const char* key : {"clip.projector_type", "clip.vision.projector_type"})
    if (f.find(key)) return f.get_string(key);
  throw error_at(f.path(), "metadata 'clip.projector_type' is missing (an mmproj names its projector)");
}

std::array<float, 3> rgb_floats(const GgufFile& f, const std::string& key, bool positive) {
  const std::vector<double> v = f.get_floats(key);
  if (v.size() != 3) throw meta_error(f, key, "has " + std::to_string(v.size()) + " values, expected 3 (R, G, B)");
  std::array<float, 3> out{};
  for (size_t c = 0; c < 3; ++c) {
    // Checked as the float it is used as: 1e-300 is positive but divides as 0.
    const float x = static_cast<float>(v[c]);
    if (!std::isfinite(x) || (positive && !(x > 0)))
      throw meta_error(f, key,
                       "value " + std::to_string(c) + " is " + number(v[c]) + ", expected a " +
                           (positive ? "positive" : "finite") + " number");
    out[c] = x;
  }
  return out;
}

// The text width comes from the projection's own shape (the layout names it); the key, when
// present, must agree.
int64_t projection_dim(const GgufFile& f, const ProjectorLayout& layout) {
  const std::string name = layout.projection;
  const GgufTensor* t = f.find_tensor(name);
  if (!t) throw error_at(f.path(), "tensor '" + name + "' is missing");
  if (t->shape.size() != 2) throw error_at(f.path(), "tensor '" + name + "' is not 2-D");
  const int64_t dim = t->shape[layout.projection_axis];
  const char* key = "clip.vision.projection_dim";
  if (f.find(key) && f.get_int(key) != dim)
    throw meta_error(f, key,
                     "is " + std::to_string(f.get_int(key)) + ", but " + name + " maps to " + std::to_string(dim));
  return dim;
}

void check_divides(const GgufFile& f, int64_t n, const std::string& what, int64_t d, const std::string& key) {
  if (n % d != 0)
    throw meta_error(f, key, "is " + std::to_string(d) + ", which does not divide " + what + " " + std::to_string(n));
}

VisionHParams read_hparams(const GgufFile& f) {
  if (!get_bool(f, "clip.has_vision_encoder", false))
    throw error_at(f.path(), "metadata 'clip.has_vision_encoder' is not true: the mmproj has no vision tower");
  VisionHParams hp;
  hp.projector = projector_type(f);
  const ProjectorLayout& layout = projector_layout(hp.projector, f.path());
  hp.image_size = bounded_int(f, kImageSize, kMaxImageSize);
  hp.patch_size = bounded_int(f, kPatchSize, hp.image_size);
  hp.embedding_length = bounded_int(f, "clip.vision.embedding_length", kMaxWidth);
  hp.feed_forward_length = bounded_int(f, "clip.vision.feed_forward_length", kMaxWidth * 8);
  hp.block_count = bounded_int(f, "clip.vision.block_count", kMaxBlocks);
  hp.head_count = bounded_int(f, "clip.vision.attention.head_count", hp.embedding_length);
  // Gemma 3 pools 4 x 4 patches unless the file says otherwise (llama.cpp's default); LLaVA
  // does not pool.
  hp.pool = !layout.pools ? 1 : f.find(kPool) ? bounded_int(f, kPool, hp.image_size) : 4;
  hp.layer_norm_epsilon = f.get_float("clip.vision.attention.layer_norm_epsilon");
  if (!(hp.layer_norm_epsilon > 0) || !std::isfinite(hp.layer_norm_epsilon))
    throw meta_error(f, "clip.vision.attention.layer_norm_epsilon",
                     "is " + number(hp.layer_norm_epsilon) + ", expected a positive number");
  hp.use_gelu = get_bool(f, "clip.use_gelu", false);
  hp.image_mean = rgb_floats(f, "clip.vision.image_mean", false);
  hp.image_std = rgb_floats(f, "clip.vision.image_std", true);
  check_divides(f, hp.image_size, kImageSize, hp.patch_size, kPatchSize);
  check_divides(f, hp.patches_per_side(), "the patches per side", hp.pool, kPool);
  check_divides(f, hp.embedding_length, "clip.vision.embedding_length", hp.head_count,
                "clip.vision.attention.head_count");
  hp.projection_dim = projection_dim(f, layout);
  return hp;
}

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out = "[";
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? ", " : "") + std::to_string(shape[i]);
  return out + "]";
}

bool is_float_type(GgmlType t) { return t == GgmlType::F32 || t == GgmlType::F16 || t == GgmlType::BF16; }

void check_tensors(const GgufFile& f, const VisionHParams& hp) {
  for (const VisionTensor& want : vision_tensors(hp, f.path())) {
    const GgufTensor* t = f.find_tensor(want.name);
    if (!t) throw error_at(f.path(), "tensor '" + want.name + "' is missing (projector " + hp.projector + ")");
    if (t->shape != want.shape)
      throw error_at(f.path(), "tensor '" + want.name + "' has shape " + shape_text(t->shape) + ", expected " +
                                   shape_text(want.shape) + " from the clip.vision.* metadata");
    if (!want.quantizable && !is_float_type(t->type))
      throw error_at(f.path(), "tensor '" + want.name + "' is " + ggml_type_name(t->type) +
                                   ", expected f32, f16 or bf16 (only the blocks' linear weights may be quantized)");
  }
}

}  // namespace

bool is_mmproj(const GgufFile& gguf) {
  const MetaValue* arch = gguf.find("general.architecture");
  const std::string* name = arch ? std::get_if<std::string>(&arch->v) : nullptr;
  return name && *name == "clip";
}

MmprojFile::MmprojFile(std::unique_ptr<GgufFile> gguf) : gguf_(std::move(gguf)) {
  if (!is_mmproj(*gguf_))
    throw error_at(gguf_->path(), "not an mmproj: general.architecture is not 'clip' (llama.cpp's --mmproj files)");
  hparams_ = read_hparams(*gguf_);
  check_tensors(*gguf_, hparams_);
}

std::unique_ptr<MmprojFile> MmprojFile::open(const std::string& path) {
  return std::make_unique<MmprojFile>(GgufFile::open(path));
}

}  // namespace lmc::models
