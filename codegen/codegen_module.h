// The code generator proper — the emitters, LLVM's O3 pipeline and machine code — is a
// shared module, liblmc-codegen.so, loaded the first time lmc emits a kernel or asks
// LLVM about a target. The rest of codegen/ (descriptors, shapes and work items, the
// kernel plan, target spellings) is linked into lmc without LLVM, so a run from a trusted
// artifact never maps libLLVM (some 47 MB of its pages are touched when it loads).
//
// The module hands out one table of entry points; the entry's name carries the
// interface version, so a module from another lmc build is refused by name.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "codegen/compile_options.h"
#include "codegen/kernel_desc.h"
#include "codegen/target.h"
#include "ir/op_registry.h"

namespace lmc::codegen {

// The module's side of KernelCompiler: kernels emitted as LLVM IR, then optimized and
// compiled into one relocatable object.
class KernelEmitter {
 public:
  virtual ~KernelEmitter() = default;
  // Emits kernel `name` for `d`; throws lmc::Error when the emitter rejects `d`.
  virtual void emit(const std::string& name, const KernelDesc& d) = 0;
  // Every kernel emitted so far as one object file (bytes). The emitter is spent after.
  virtual std::string compile(const CompileOptions& opts) = 0;
  virtual const CompileStats& stats() const = 0;
};

struct CodegenModule {
  // The module's copy of ir/ reads the executable's registered ops (a plugin's elementwise
  // ops), so the two share one op table; called once, when the module loads.
  void (*read_registered_ops)(ir::RegisteredOps* executables);
  std::unique_ptr<KernelEmitter> (*make_emitter)(const TargetSpec& target);
  TargetSpec (*resolve_target)(const TargetOptions& opts);
  std::vector<std::string> (*isa_features)(const TargetSpec& spec);
  std::vector<std::string> (*missing_host_features)(const TargetSpec& spec);
};

// The module's table, loading it on first use (support/shared_module.h says where it looks).
// Throws lmc::Error naming the places it looked.
const CodegenModule& codegen_module();
// The module's file, found as codegen_module() would find it but not loaded ("" when
// missing): the bytes that generate kernels, which a compile cache must key on.
std::string codegen_module_path();

}  // namespace lmc::codegen

// The module's one exported symbol.
extern "C" const lmc::codegen::CodegenModule* lmc_codegen_module_v4();
