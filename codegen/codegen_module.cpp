#include "codegen/codegen_module.h"

#include "ir/shared_module.h"

namespace lmc::codegen {

namespace {

const SharedModuleFile kModule = {"the kernel compiler", "liblmc-codegen.so", "lmc_codegen_module_v1",
                                  LMC_CODEGEN_BUILD_PATH};

}  // namespace

const CodegenModule& codegen_module() {
  static const CodegenModule& module = shared_module_table<CodegenModule>(kModule);
  return module;
}

std::string codegen_module_path() { return find_shared_module(kModule); }

}  // namespace lmc::codegen
