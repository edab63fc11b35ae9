// The kernels' object code is linked into the process by LLVM ORC (JITLink), in a module
// of its own, liblmc-loader.so, opened the first time kernels are loaded. It carries
// private static copies of the few LLVM libraries linking needs (ORC, JITLink, Object,
// Support), not libLLVM: a run from an artifact maps no code generator. Its symbols are
// all hidden, so when a compile has also loaded liblmc-codegen.so (and libLLVM with it)
// the two copies of LLVM cannot see each other's globals or options.
//
// The module hands out one table; the entry's name carries the interface version.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "codegen/kernel_load_options.h"

namespace lmc::codegen {

// Every function the object defines, by name, at its address in this process.
using KernelAddresses = std::map<std::string, uintptr_t, std::less<>>;

// One linked object: its code stays mapped while this lives.
class LinkedKernels {
 public:
  virtual ~LinkedKernels() = default;
  virtual const KernelAddresses& functions() const = 0;
};

struct KernelLoaderModule {
  // Links `object` (an ELF relocatable object) and resolves every function it defines.
  // Throws lmc::Error "<where>: error: ..." when the object cannot be linked.
  std::unique_ptr<LinkedKernels> (*link)(std::string_view object, const std::string& where,
                                         const KernelLoadOptions& options);
};

// The module's table, loading it on first use (support/shared_module.h says where it looks).
const KernelLoaderModule& kernel_loader_module();

}  // namespace lmc::codegen

// The module's one exported symbol.
extern "C" const lmc::codegen::KernelLoaderModule* lmc_kernel_loader_module_v1();
