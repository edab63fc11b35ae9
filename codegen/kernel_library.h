// The kernels, linked into this process and ready to call: the object code codegen
// wrote (read from an artifact, or just compiled) linked by LLVM ORC in the loader module
// (codegen/kernel_loader_module.h). Only memcpy, memset and memmove outside the object
// are reachable from a kernel; any other outside symbol fails the link.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "codegen/kernel_abi.h"
#include "codegen/kernel_compiler.h"

namespace lmc::codegen {

class LinkedKernels;

class KernelLibrary {
 public:
  // Throws lmc::Error "<where>: error: ..." when `object` is not an object lmc can link:
  // not x86-64 ELF, truncated or corrupt, or calling outside what it may call.
  static std::unique_ptr<KernelLibrary> load(std::string_view object, const std::string& where);

  // Compiles every kernel added to `compiler` and loads them. Throws lmc::Error naming
  // the features this CPU lacks when it cannot run the compiler's target.
  static std::unique_ptr<KernelLibrary> compile(KernelCompiler& compiler);

  ~KernelLibrary();
  KernelLibrary(const KernelLibrary&) = delete;
  KernelLibrary& operator=(const KernelLibrary&) = delete;

  // Throws lmc::Error when the object defines no function of that name.
  lmc_kernel_fn lookup(const std::string& name) const;

 private:
  KernelLibrary(std::unique_ptr<LinkedKernels> linked, std::string where);
  std::unique_ptr<LinkedKernels> linked_;
  std::string where_;
};

}  // namespace lmc::codegen
