// What `lmc compile|run|bench PATH` was given: a model definition (.yaml), weights that
// declare their architecture (a .gguf file or a Hugging Face folder), an artifact, or a
// graph as IR text (.lir, which lmc compile compiles as it is); and for weights, the
// definition that lowers them.
#pragma once
#include <string>

#include "models/lowering.h"

namespace lmc::driver {

enum class ModelInput { Definition, Weights, Artifact, Graph };

// By name: .yaml/.yml, .lmc, .lir, .gguf or a folder; else a file that begins with GGUF's
// magic is weights, anything else is opened as an artifact (whose magic then says what it
// is not).
ModelInput model_input(const std::string& path);

struct DefinitionChoice {
  std::string definition;      // the .yaml to lower
  models::LowerOptions lower;  // with the weights, tokenizer and name of the weights given
};

// A definition lowers as itself. Weights lower with `model_def` when it is given, else with
// the definition in models_dir() that serves their architecture; the model is named after
// the file or folder, and a folder's tokenizer.json is its tokenizer.
DefinitionChoice choose_definition(const std::string& model, const std::string& model_def, models::LowerOptions lower);

}  // namespace lmc::driver
