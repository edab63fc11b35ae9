// The two LLVM steps a kernel module goes through: the O3 optimization pipeline
// (new pass manager) and machine-code emission (object file or assembly text).
#pragma once
#include <string>

namespace llvm {
class Module;
class TargetMachine;
}  // namespace llvm

namespace lmc::codegen {

// Throws lmc::Error (naming `what`) when the module does not verify.
void verify_module(const llvm::Module& m, const std::string& what);
void optimize_module(llvm::Module& m, llvm::TargetMachine& tm);

enum class MachineCodeKind { Object, Assembly };
std::string emit_machine_code(llvm::Module& m, llvm::TargetMachine& tm, MachineCodeKind kind);

}  // namespace lmc::codegen
