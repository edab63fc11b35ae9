// Where the model definitions are, and which one serves an architecture that weights
// declare. The definitions' serves: keys are the only table: adding an architecture is
// adding a YAML file, no C++.
#pragma once
#include <string>

#include "models/weights_architecture.h"

namespace lmc::driver {

// $LMC_MODELS_DIR, else an installed lmc's <bin>/../share/lmc/models, else the source
// tree's models/.
std::string models_dir();

// The definition in `dir` whose serves: names `arch`; errors name `weights` and list the
// architectures that are served.
std::string definition_serving(const models::WeightsArchitecture& arch, const std::string& weights,
                               const std::string& dir);

}  // namespace lmc::driver
