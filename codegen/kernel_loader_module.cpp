#include "codegen/kernel_loader_module.h"

#include "support/shared_module.h"

namespace lmc::codegen {

namespace {

const SharedModuleFile kModule = {"the kernel loader", "liblmc-loader.so", "lmc_kernel_loader_module_v1",
                                  LMC_LOADER_BUILD_PATH};

}  // namespace

const KernelLoaderModule& kernel_loader_module() {
  static const KernelLoaderModule& module = shared_module_table<KernelLoaderModule>(kModule);
  return module;
}

}  // namespace lmc::codegen
