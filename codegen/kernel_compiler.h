// Generates one LLVM function per distinct kernel descriptor, optimizes them with
// the O3 pipeline and emits a relocatable object file (bytes) for the target.
// Identical descriptors (same key()) share one kernel. No LLVM type appears here,
// so runtime/ and tools/ can drive codegen without LLVM headers.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "codegen/kernel_desc.h"
#include "codegen/target.h"

namespace lmc::codegen {

struct CompileOptions {
  std::string dump_llvm_ir_dir;  // non-empty: write <kernel>.ll (optimized IR) there
  std::string dump_asm_dir;      // non-empty: write <kernel>.s there
};

struct CompileStats {
  int kernels = 0;
  double emit_seconds = 0;      // building IR (the emitters)
  double optimize_seconds = 0;  // verifier + O3 pipeline
  double codegen_seconds = 0;   // machine code (and dumps)
  double total_seconds() const { return emit_seconds + optimize_seconds + codegen_seconds; }
};

struct KernelEntry {
  std::string name;  // symbol in the object file
  std::string key;   // KernelDesc::key()
  KernelInfo info;   // work items
};

class KernelCompiler {
 public:
  explicit KernelCompiler(TargetSpec target = baseline_target());
  ~KernelCompiler();
  KernelCompiler(const KernelCompiler&) = delete;
  KernelCompiler& operator=(const KernelCompiler&) = delete;

  // The kernel's symbol name. Throws lmc::Error when no emitter handles d.kind or
  // the emitter rejects the descriptor.
  std::string add(const KernelDesc& d);
  const std::vector<KernelEntry>& kernels() const;

  // Verifies, optimizes and emits every kernel added so far as one object file.
  // The compiler is spent afterwards: add() and compile() throw.
  std::string compile(const CompileOptions& opts = {});

  const CompileStats& stats() const;
  const TargetSpec& target() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmc::codegen
