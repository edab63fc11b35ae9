// One model's weights, from a GGUF file or SafeTensors (file, directory or sharded
// index), behind one interface: tensor shapes, f32 data, metadata for the model
// definition's meta() defaults. A Hugging Face folder answers to llama.cpp's GGUF tensor
// and metadata names too (models/hf_names.h), so one definition reads both. Weight names may be transform expressions
// the passes produce — T(w) transpose, flat(w) (a convolution's [N, C, H, W] kernel as [N, C·H·W]), cat(a,b,...) row
// concatenation, cat1(a,b,...) of stacked [E, N, K] weights along N, rows(w,b,n) and cols(w,b,n) slices, q8_0(w) — and
// `materialize` evaluates them when the artifact is packed.
#pragma once
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/type.h"
#include "models/expr.h"

namespace lmc::models {

class GgufFile;
class HfNames;
class SafeTensorsModel;
namespace json {
class Value;
}

class WeightSource {
 public:
  static std::unique_ptr<WeightSource> open(const std::string& path);  // throws lmc::Error
  ~WeightSource();

  const std::string& path() const { return path_; }
  std::string format() const { return gguf_ ? "gguf" : "safetensors"; }
  const GgufFile* gguf() const { return gguf_.get(); }
  const SafeTensorsModel* safetensors() const { return st_.get(); }
  // A folder's GGUF names (null for a GGUF file).
  const HfNames* hf_names() const { return hf_.get(); }

  // A tensor of the file, or "meta:KEY": a metadata array of numbers as a 1-d tensor (Phi-3's
  // longrope factors are lists in config.json, tensors in its GGUF).
  bool has_tensor(const std::string& name) const;
  // The values of a "meta:KEY" tensor; nothing for another name, or a KEY that is no
  // non-empty array of numbers.
  std::optional<std::vector<float>> meta_tensor(const std::string& name) const;
  // Shape of a tensor or transform expression; throws naming the weight if absent.
  std::vector<int64_t> shape(const std::string& expr) const;
  // Shape of one tensor (a file's, "meta:KEY", or a folder's under its GGUF name).
  std::vector<int64_t> tensor_shape(const std::string& name) const;
  // The tensor or expression, dequantized, transposed and concatenated as asked, packed as
  // `dtype`; as q4_0 ... iq4_xs (ir::is_kept_from_source), the file's own blocks of tensors stored so (no
  // requantizing).
  std::vector<uint8_t> materialize(const std::string& expr, ir::DType dtype) const;
  // The block type a tensor of rank 2 or more (experts' stacked weights) is stored in when a
  // weight may keep it (q4_0, q4_1, q5_0, q5_1, iq4_nl; q4_k, q5_k, q6_k, q3_k, q2_k and
  // iq4_xs for the K types and IQ4_XS, super-blocks as stored; q8_0, which requantizing its
  // values gives back).
  std::optional<ir::DType> stored_dtype(const std::string& name) const;

  // Metadata (GGUF key/values or the HF config.json beside SafeTensors). In a config.json,
  // "a.b" is member b of object a when there is no key "a.b" (rope_scaling.factor); a
  // folder of a family models/hf_names.h knows answers to the GGUF keys too.
  std::optional<ExprValue> meta(const std::string& key) const;
  // Whether the metadata sets `key` (a config.json null does not), whatever its kind: a
  // definition may test for an object (rope_scaling) it cannot read.
  bool has_meta(const std::string& key) const;
  // Element `index` of a metadata array (a config.json list such as layer_types, a GGUF
  // array), or nothing when the key is absent, not an array, or shorter: per-layer
  // settings read one layer at a time.
  std::optional<ExprValue> meta_item(const std::string& key, int64_t index) const;

 private:
  WeightSource() = default;
  std::vector<float> to_f32(const std::string& name) const;
  const json::Value* config_entry(const std::string& key) const;  // null: absent or null
  std::optional<ExprValue> config_value(const std::string& key) const;
  std::vector<float> renamed_to_f32(const std::string& name) const;  // a folder's tensor by GGUF name
  std::string path_;
  std::unique_ptr<GgufFile> gguf_;
  std::unique_ptr<SafeTensorsModel> st_;
  std::unique_ptr<HfNames> hf_;
};

}  // namespace lmc::models
