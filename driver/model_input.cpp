#include "driver/model_input.h"

#include <filesystem>
#include <fstream>
#include <string_view>

#include "driver/model_definitions.h"

namespace lmc::driver {

namespace fs = std::filesystem;

namespace {

// Whether the file begins as a GGUF file does: a download saved under another name is one.
bool starts_as_gguf(const std::string& path) {
  char magic[4] = {};
  std::ifstream in(path, std::ios::binary);
  return in.read(magic, sizeof magic) && std::string_view(magic, sizeof magic) == "GGUF";
}

}  // namespace

ModelInput model_input(const std::string& path) {
  fs::path p(path);
  std::error_code ec;  // what cannot be looked at is not a folder; opening it says why
  if (p.extension() == ".yaml" || p.extension() == ".yml") return ModelInput::Definition;
  if (p.extension() == ".lmc") return ModelInput::Artifact;
  if (p.extension() == ".lir") return ModelInput::Graph;
  if (p.extension() == ".gguf" || fs::is_directory(p, ec) || starts_as_gguf(path)) return ModelInput::Weights;
  return ModelInput::Artifact;
}

DefinitionChoice choose_definition(const std::string& model, const std::string& model_def, models::LowerOptions lower) {
  if (model_input(model) != ModelInput::Weights) return {model, lower};
  lower.weights = model;
  // Named as the user named it, not after a symlink's target; "dir/" and "." name the folder.
  fs::path p = fs::absolute(model).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  std::error_code ec;
  if (fs::is_directory(p, ec)) {
    lower.tokenizer = (fs::path(model) / "tokenizer.json").string();
    lower.name = p.filename().string();
  } else {
    lower.name = p.stem().string();
  }
  if (!model_def.empty()) return {model_def, lower};
  return {definition_serving(models::weights_architecture(model), model, models_dir()), lower};
}

}  // namespace lmc::driver
