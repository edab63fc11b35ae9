// The flags that choose how a model is compiled or opened: compile flags for a model
// definition or weights (weights, definition, context, passes, target, dumps), trust
// flags for an artifact.
#pragma once
#include <string>
#include <vector>

#include "driver/compile.h"
#include "driver/model_input.h"
#include "driver/open_model.h"
#include "tools/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> compile_flag_specs();
driver::CompileRequest compile_request(const std::string& model, const Args& a);
// Refuses flags that do not apply to the kind of model `path` is.
driver::LoadedModel open_model(const std::string& path, const Args& a);
// The model a command runs: the positional MODEL or -m/--model (llama.cpp's habit), one of them.
std::string model_argument(const Args& a, const std::string& command);

}  // namespace lmc::tools
