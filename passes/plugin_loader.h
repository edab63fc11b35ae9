// Out-of-tree passes: a shared library exporting
//   extern "C" const lmc_pass_plugin_info* lmc_get_pass_plugin_info(void);
// whose api_version must equal LMC_PASS_PLUGIN_API_VERSION; its register_passes
// adds factories to the registry (as LLVM's and MLIR's pass plugins do).
#pragma once
#include <string>

#include "passes/pass_registry.h"

// 2: passes declare options (Pass::options, Pass::configure).
// 3: passes may say where their pattern matches (Pass::candidates: passes/placement.h);
//    remarks have a kind (passed, missed, analysis).
#define LMC_PASS_PLUGIN_API_VERSION 3

extern "C" {
struct lmc_pass_plugin_info {
  int api_version;
  const char* plugin_name;
  void (*register_passes)(lmc::passes::PassRegistry* registry);
};
}

namespace lmc::passes {

// Loads the library and registers its passes (once per library); throws lmc::Error
// naming the file.
void load_pass_plugin(const std::string& path);

}  // namespace lmc::passes
