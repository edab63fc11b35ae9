// Runnable kernels: an object file (from KernelCompiler::compile or an artifact)
// linked into the process by ORC LLJIT, with kernels looked up by symbol name.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "codegen/kernel_abi.h"
#include "codegen/target.h"

namespace lmc::codegen {

class KernelCompiler;

class KernelLibrary {
 public:
  // `built_for` is the target the object was compiled for (from the manifest).
  // Throws lmc::Error naming the missing features when this CPU cannot run it,
  // so the caller can fall back to compiling for this host.
  static std::unique_ptr<KernelLibrary> from_object(std::string_view object, const TargetSpec& built_for);
  // Compiles every kernel added to `compiler` and loads the result (no artifact).
  static std::unique_ptr<KernelLibrary> jit(KernelCompiler& compiler);

  ~KernelLibrary();
  KernelLibrary(const KernelLibrary&) = delete;
  KernelLibrary& operator=(const KernelLibrary&) = delete;

  // Throws lmc::Error when the object has no such kernel.
  lmc_kernel_fn lookup(const std::string& name) const;

 private:
  KernelLibrary();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmc::codegen
