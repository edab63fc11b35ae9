// SafeTensors reader: a file is an 8-byte little-endian header length, a JSON header
// mapping tensor names to {dtype, shape, data_offsets}, then the raw data. A model is one
// such file or several shards tied together by model.safetensors.index.json. Files are
// memory-mapped and every header entry is checked against the data it claims before use;
// the HF config.json beside the weights is read too, since it carries the hyper-parameters.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/dtype.h"
#include "models/formats/json.h"
#include "support/mapped_file.h"

namespace lmc::models {

struct SafeTensor {
  std::string name;
  ir::DType dtype;             // f32, f16 or bf16
  std::vector<int64_t> shape;  // row-major, outermost first; empty for a scalar
  const uint8_t* data = nullptr;  // inside the shard's mapping; not necessarily aligned
  uint64_t nbytes = 0;
  size_t shard = 0;     // index into SafeTensorsModel::shard_paths()
  uint64_t offset = 0;  // absolute byte offset in that shard
  int64_t numel() const;
};

class SafeTensorsModel {
 public:
  // `path` is a .safetensors file, a model.safetensors.index.json, or a directory holding
  // model.safetensors.index.json or model.safetensors. Throws lmc::Error.
  static std::unique_ptr<SafeTensorsModel> open(const std::string& path);

  const std::vector<std::string>& shard_paths() const { return shard_paths_; }
  const std::vector<SafeTensor>& tensors() const { return tensors_; }  // sorted by name
  const SafeTensor* find(const std::string& name) const;
  // The tensor widened to float (exact for every dtype); throws lmc::Error if absent.
  std::vector<float> to_f32(const std::string& name) const;

  // The top-level keys of config.json beside the weights; empty when there is none.
  const std::map<std::string, const json::Value*>& config() const { return config_; }
  // One config value; throws lmc::Error naming config.json when the key is absent.
  const json::Value& config_value(const std::string& key) const;

 private:
  friend class SafeTensorsLoader;
  std::string path_;
  std::vector<std::string> shard_paths_;
  std::vector<std::unique_ptr<MappedFile>> shards_;
  std::vector<SafeTensor> tensors_;
  std::optional<json::Document> config_doc_;
  std::map<std::string, const json::Value*> config_;
};

}  // namespace lmc::models
