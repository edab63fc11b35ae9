// Generates one LLVM function per distinct kernel descriptor, optimizes them with
// the O3 pipeline and emits a relocatable object file (bytes) for the target.
// Identical descriptors (same key()) share one kernel. The plan (names, work items)
// is made here without LLVM; the emission runs in the code generator module
// (codegen/codegen_module.h), loaded when the first compiler is made. No LLVM type
// appears here, so runtime/ and tools/ drive codegen without LLVM headers.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "codegen/compile_options.h"
#include "codegen/kernel_desc.h"
#include "codegen/kernel_plan.h"
#include "codegen/target.h"

namespace lmc::codegen {

class KernelEmitter;

class KernelCompiler {
 public:
  explicit KernelCompiler(TargetSpec target = baseline_target());
  ~KernelCompiler();
  KernelCompiler(const KernelCompiler&) = delete;
  KernelCompiler& operator=(const KernelCompiler&) = delete;

  // The kernel's symbol name. Throws lmc::Error when no emitter handles d.kind or
  // the emitter rejects the descriptor.
  std::string add(const KernelDesc& d);
  const std::vector<KernelEntry>& kernels() const { return plan_.kernels(); }

  // Verifies, optimizes and emits every kernel added so far as one object file.
  // The compiler is spent afterwards: add() and compile() throw.
  std::string compile(const CompileOptions& opts = {});

  const CompileStats& stats() const;
  const TargetSpec& target() const { return target_; }

 private:
  void check_live() const;
  TargetSpec target_;
  KernelPlan plan_;
  std::unique_ptr<KernelEmitter> emitter_;
  bool spent_ = false;
};

}  // namespace lmc::codegen
