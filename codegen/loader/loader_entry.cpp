// The kernel loader module's one exported entry (codegen/kernel_loader_module.h).
#include "codegen/kernel_loader_module.h"
#include "codegen/loader/linker/orc_kernel_linker.h"

extern "C" __attribute__((visibility("default"))) const lmc::codegen::KernelLoaderModule*
lmc_kernel_loader_module_v1() {
  static const lmc::codegen::KernelLoaderModule table{lmc::codegen::orc_link_kernels};
  return &table;
}
