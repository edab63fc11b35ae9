#include "codegen/codegen_module.h"

#include "ir/shared_module.h"

namespace lmc::codegen {

const CodegenModule& codegen_module() {
  static const CodegenModule& module = shared_module_table<CodegenModule>(
      {"the kernel compiler", "liblmc-codegen.so", "lmc_codegen_module_v1", LMC_CODEGEN_BUILD_PATH});
  return module;
}

}  // namespace lmc::codegen
