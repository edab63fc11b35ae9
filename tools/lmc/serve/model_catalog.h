// The models of a folder, as llama-server's router names them (--models-dir): each GGUF file
// in it under its name without ".gguf", and each subfolder holding a GGUF under the
// subfolder's name (its first shard, "-00001-of-", when the model is split). A projector (a
// name holding "mmproj", as llama-server's rule) or a draft ("draft*") is no model of its own:
// a subfolder's projector is its model's (--mmproj), one at the top is left out.
#pragma once
#include <string>
#include <vector>

#include "tools/serve/engine/router_options.h"

namespace lmc::tools {

// The folder's models, sorted by name. Throws UsageError naming the folder when it is not one.
std::vector<RouterModel> models_in_folder(const std::string& dir);

}  // namespace lmc::tools
