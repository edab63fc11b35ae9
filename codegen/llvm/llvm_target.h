// The module's side of target selection (codegen/target.h asks it through
// codegen_module()): LLVM's CPU and feature tables, the host's features, and the target
// machine that generates the kernels' code.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "codegen/target.h"

namespace llvm {
class TargetMachine;
}

namespace lmc::codegen {

// Throws lmc::Error when mcpu or a feature name is unknown to LLVM.
TargetSpec llvm_resolve_target(const TargetOptions& opts);
std::vector<std::string> llvm_isa_features(const TargetSpec& spec);
std::vector<std::string> llvm_missing_host_features(const TargetSpec& spec);

// Code generator for the spec on the host's triple (x86-64 ELF): O3, or with `optimize`
// false none (what LLVM's scalar tiles need: codegen/llvm/scalar_tiles.h).
std::unique_ptr<llvm::TargetMachine> create_target_machine(const TargetSpec& spec, bool optimize = true);

// Registers the native target with LLVM once per process.
void init_llvm_target();

}  // namespace lmc::codegen
