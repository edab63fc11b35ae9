// A Hugging Face folder read under llama.cpp's GGUF names, so that one model definition
// serves a family's GGUF files and its folders alike. This is the one map of HF tensor and
// config.json names to the GGUF ones, with the changes llama.cpp's converter makes to the
// values on the way:
//   - Llama's, Mistral's and Mixtral's q and k rows reordered within each head so that RoPE
//     rotates adjacent pairs (the GGUF's "normal" style) where HF rotates halves;
//   - Gemma's RMSNorm weights as 1 + w (HF multiplies by 1 + w, the GGUF stores it);
//   - each layer's per-expert matrices stacked into one [experts, rows, cols] tensor;
//   - Phi-3's LongRoPE factor lists (config.json) as the rope_factors_* tensors.
// A folder whose model_type the map does not know keeps its HF names only (GPT-2's
// definition reads those); known folders answer to both spellings.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "models/expr.h"

namespace lmc::models {

class SafeTensorsModel;

// How one GGUF-named tensor is made from the folder's tensors.
struct HfTensor {
  enum class Change { none, rope_pairs, plus_one };
  std::vector<std::string> parts;  // the HF tensors; more than one are stacked in order
  bool stacked = false;            // experts: [parts, ...part's shape]
  bool squeeze = false;            // HF's [1, n] is the GGUF's [n]
  Change change = Change::none;
  int64_t heads = 0;               // rope_pairs: the heads whose rows are reordered
  std::string meta_list;           // instead of parts: a config.json list of numbers
};

class HfNames {
 public:
  // Config values by HF key ("rope_scaling.factor" reaches into an object), absent or null
  // as nothing.
  using Config = std::function<std::optional<ExprValue>(const std::string&)>;
  // `folder` names the weights in errors (an expert missing from a layer).
  HfNames(const SafeTensorsModel& st, const std::string& folder, Config config);

  // The GGUF general.architecture of the folder's model_type; empty when the map does not
  // know it (then nothing is renamed).
  const std::string& architecture() const { return arch_; }
  const HfTensor* tensor(const std::string& gguf_name) const;
  // A GGUF metadata key's value from config.json; nothing when the key has no HF form or
  // config.json does not set it.
  std::optional<ExprValue> meta(const std::string& gguf_key) const;
  // Every GGUF-named tensor the folder has, and every GGUF key its config.json sets: what
  // `lmc inspect FOLDER` shows a definition's author.
  const std::map<std::string, HfTensor>& tensors() const { return tensors_; }
  std::vector<std::string> meta_keys() const;

 private:
  void add_tensor(const std::string& hf_name);
  void add_meta_lists();
  void stack_experts(const std::string& folder);
  std::string arch_;
  bool rope_pairs_ = false;
  bool gemma_ = false;
  Config config_;
  std::map<std::string, HfTensor> tensors_;
  std::map<std::string, std::map<int64_t, std::string>> experts_;  // by GGUF name, until stacked
};

// `rows` rows of `cols` values, ordered as HF's q or k projection of `heads` heads, reordered
// as llama.cpp's converter does: within each head, row j of the first half and row j of the
// second become rows 2j and 2j+1.
std::vector<float> rope_pairs(const std::vector<float>& in, int64_t rows, int64_t cols, int64_t heads);

}  // namespace lmc::models
