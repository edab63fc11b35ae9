// What a kernel compile is asked for (dumps) and what it reports (time per stage).
#pragma once
#include <functional>
#include <string>

namespace lmc::codegen {

// Where the code generator module hands each kernel's dump ("<kernel>.ll", its text):
// KernelCompiler::compile sets them from the folders asked for and writes the files
// (support/dump_folder.h), so the module, with its own copy of lmc's support code, never
// opens an output file or installs a signal handler of its own.
using DumpSink = std::function<void(const std::string& file, const std::string& text)>;
struct KernelDumps {
  DumpSink llvm_ir;   // set: the optimized IR of each kernel
  DumpSink assembly;  // set: each kernel's assembly
};

struct CompileOptions {
  std::string dump_llvm_ir_dir;  // non-empty: write <kernel>.ll (optimized IR) there
  std::string dump_asm_dir;      // non-empty: write <kernel>.s there
  KernelDumps dumps{};           // set by KernelCompiler::compile from the two, for the module
  // Called by the module between kernels: throws to stop the compile (Ctrl-C). Set by
  // KernelCompiler::compile, for the same reason as the dumps: the module's copy of lmc's
  // support code sees no signal.
  std::function<void()> checkpoint{};
  // Tests only: AMX tile intrinsics lowered to plain loops by LLVM (codegen/llvm/scalar_tiles.h),
  // so a kernel compiled for the tiles runs, slowly, where the tile unit does not.
  bool scalar_tiles = false;
};

struct CompileStats {
  int kernels = 0;
  double emit_seconds = 0;      // building IR (the emitters)
  double optimize_seconds = 0;  // verifier + O3 pipeline
  double codegen_seconds = 0;   // machine code (and dumps)
  double total_seconds() const { return emit_seconds + optimize_seconds + codegen_seconds; }
};

}  // namespace lmc::codegen
