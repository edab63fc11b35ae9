// SafeTensors files, as the weight loader reads them: the JSON header, every entry
// checked against the data, and each (small) tensor widened to f32. Then the same file as
// a Hugging Face folder of a known family, read under GGUF names (models/hf_names.h): the
// tensor names the header invents pick layers and experts.
#include <cstdint>

#include "models/formats/safetensors_file.h"
#include "models/weight_source.h"
#include "support/error.h"
#include "tests/fuzz/fuzz_input.h"

namespace {

// Widening is linear in the element count; bigger tensors only cost time.
constexpr int64_t kMaxWidened = int64_t{1} << 16;

// One family each whose map reorders q/k rows, adds 1 to norms, stacks experts.
constexpr const char* kConfigs[] = {
    R"({"model_type": "mixtral", "num_attention_heads": 2, "num_key_value_heads": 1})",
    R"({"model_type": "gemma2"})",
    R"({"model_type": "qwen2_moe", "rope_scaling": {"type": "yarn", "long_factor": [1, 2]}})",
};

constexpr const char* kGgufNames[] = {"token_embd.weight",          "blk.0.attn_q.weight",
                                      "blk.0.attn_k.weight",        "blk.0.attn_norm.weight",
                                      "blk.0.ffn_gate_exps.weight", "blk.0.ffn_gate_inp_shexp.weight",
                                      "rope_factors_long.weight"};

void read_as_folder(size_t size) {
  lmc::fuzz::write_input("config.json", kConfigs[size % 3]);
  auto w = lmc::models::WeightSource::open(lmc::fuzz::scratch_dir().string());
  for (const char* name : kGgufNames) {
    try {
      int64_t n = 1;
      for (int64_t d : w->shape(name)) n *= d;
      if (n <= kMaxWidened) w->materialize(name, lmc::ir::DType::f32);
    } catch (const lmc::Error&) {
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto path = lmc::fuzz::write_input("model.safetensors", lmc::fuzz::as_text(data, size));
    auto m = lmc::models::SafeTensorsModel::open(path);
    for (const auto& t : m->tensors())
      if (t.numel() <= kMaxWidened) m->to_f32(t.name);
    read_as_folder(size);
  } catch (const lmc::Error&) {
  }
  return 0;
}
