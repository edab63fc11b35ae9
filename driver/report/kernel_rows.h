// The kernel table of a compile report: one row per kernel the final graph runs (ops with
// one descriptor share it), with the op, its operand and result types, the block types of
// the weights it reads, and, when the kernels were generated with their code written out,
// its assembly (and the instructions in it) and its optimized LLVM IR. Derived from the graph by codegen's LLVM-free
// plan, so `lmc opt` and `lmc compile --emit-ir` have it too.
#pragma once
#include <string>
#include <vector>

#include "driver/report/report_model.h"
#include "ir/graph.h"

namespace lmc::report {

// Where the kernels' code was written: <symbol>.s and <symbol>.ll; "" where it was not.
struct KernelCode {
  std::string asm_dir;
  std::string llvm_ir_dir;
};

std::vector<KernelRow> kernel_rows(const ir::Graph& g, const KernelCode& code);

// "linear", or a region's "fusion(rms_norm, linear)": how the tables name an op's kernel.
std::string op_label(const ir::Op& op);

// The instructions in an assembly listing: its lines that are neither labels, directives
// nor comments.
int64_t count_instructions(const std::string& listing);

}  // namespace lmc::report
