#include "codegen/codegen_module.h"

#include "support/shared_module.h"

namespace lmc::codegen {

namespace {

const SharedModuleFile kModule = {"the kernel compiler", "liblmc-codegen.so", "lmc_codegen_module_v4",
                                  LMC_CODEGEN_BUILD_PATH};

const CodegenModule& load() {
  const CodegenModule& m = shared_module_table<CodegenModule>(kModule);
  m.read_registered_ops(ir::registered_ops());
  return m;
}

}  // namespace

const CodegenModule& codegen_module() {
  static const CodegenModule& module = load();
  return module;
}

std::string codegen_module_path() { return find_shared_module(kModule); }

}  // namespace lmc::codegen
