#include "models/weights_architecture.h"

#include <filesystem>

#include "models/formats/gguf_file.h"
#include "models/formats/json.h"
#include "support/error.h"

namespace lmc::models {

namespace {

const char* const kHint = "pass --model-def FILE.yaml";

WeightsArchitecture from_gguf(const std::string& path) {
  auto file = GgufFile::open(path);
  if (!file->find("general.architecture"))
    throw error_at(path, std::string("no general.architecture metadata to choose a model definition by; ") + kHint);
  const std::string arch = file->get_string("general.architecture");
  const std::string experts = arch + ".expert_count";
  return {"gguf", arch, "general.architecture", file->find(experts) && file->get_int(experts) > 0};
}

WeightsArchitecture from_folder(const std::string& dir) {
  const std::string config = (std::filesystem::path(dir) / "config.json").string();
  std::error_code ec;
  if (!std::filesystem::exists(config, ec))
    throw error_at(dir,
                   "no config.json: a Hugging Face model folder holds config.json, *.safetensors and "
                   "tokenizer.json");
  json::Document doc = json::Document::read_file(config);
  const json::Value* type = doc.root().find("model_type");
  if (!type) throw error_at(config, std::string("no 'model_type' to choose a model definition by; ") + kHint);
  return {"hf", type->as_string(), "config.json model_type"};
}

}  // namespace

WeightsArchitecture weights_architecture(const std::string& path) {
  std::error_code ec;
  WeightsArchitecture a = std::filesystem::is_directory(path, ec) ? from_folder(path) : from_gguf(path);
  if (a.name.empty()) throw error_at(path, "empty " + a.key + "; " + kHint);
  return a;
}

}  // namespace lmc::models
