// The architecture a set of weights declares, which picks the model definition that
// serves it (a definition's serves: key): a GGUF's general.architecture, or the
// model_type of a Hugging Face folder's config.json.
#pragma once
#include <string>

namespace lmc::models {

struct WeightsArchitecture {
  std::string format;  // "gguf" or "hf", as in serves:
  std::string name;    // e.g. "llama", "gemma3_text"
  std::string key;     // where the name was read: "general.architecture" or "config.json model_type"
  bool experts = false;  // a GGUF whose <name>.expert_count > 0 (llama.cpp writes Mixtral as llama so)
};

// A .gguf file or a folder; errors name the file and what is missing.
WeightsArchitecture weights_architecture(const std::string& path);

}  // namespace lmc::models
