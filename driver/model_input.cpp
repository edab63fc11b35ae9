#include "driver/model_input.h"

#include <filesystem>

#include "driver/model_definitions.h"

namespace lmc::driver {

namespace fs = std::filesystem;

ModelInput model_input(const std::string& path) {
  fs::path p(path);
  if (p.extension() == ".yaml" || p.extension() == ".yml") return ModelInput::Definition;
  if (p.extension() == ".gguf" || fs::is_directory(p)) return ModelInput::Weights;
  return ModelInput::Artifact;
}

DefinitionChoice choose_definition(const std::string& model, const std::string& model_def, models::LowerOptions lower) {
  if (model_input(model) != ModelInput::Weights) return {model, lower};
  lower.weights = model;
  fs::path p = fs::weakly_canonical(fs::absolute(model));
  if (fs::is_directory(p)) {
    lower.tokenizer = (p / "tokenizer.json").string();
    lower.name = p.filename().string();
  } else {
    lower.name = p.stem().string();
  }
  if (!model_def.empty()) return {model_def, lower};
  return {definition_serving(models::weights_architecture(model), model, models_dir()), lower};
}

}  // namespace lmc::driver
