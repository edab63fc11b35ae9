// The code generator module's one exported entry (codegen/codegen_module.h): its table
// of LLVM-backed functions.
#include "codegen/codegen_module.h"
#include "codegen/llvm/llvm_kernel_emitter.h"
#include "codegen/llvm/llvm_target.h"

extern "C" __attribute__((visibility("default"))) const lmc::codegen::CodegenModule* lmc_codegen_module_v4() {
  using namespace lmc::codegen;
  static const CodegenModule table{lmc::ir::read_registered_ops, make_llvm_kernel_emitter, llvm_resolve_target,
                                   llvm_isa_features, llvm_missing_host_features};
  return &table;
}
