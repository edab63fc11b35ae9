// Checked access to a kernel descriptor for the emitters: operand counts, rank-2
// row shapes, typed attributes and the usual "one work item per row" KernelInfo.
// Every check throws lmc::Error naming the kernel key, so a malformed op is
// reported at compile time instead of producing a wrong kernel.
#pragma once
#include <string>
#include <vector>

#include "codegen/kernel_desc.h"

namespace lmc::codegen {

[[noreturn]] void desc_error(const KernelDesc& d, const std::string& what);

void expect_arity(const KernelDesc& d, size_t operands, size_t results);

// A rank-2 [rows, width] tensor whose width is static; rows may be a symbol.
struct Rows {
  ir::Dim rows;
  int64_t width = 0;
};
Rows expect_rows(const KernelDesc& d, const ir::Type& t, const char* role);
// The same, and requires dtype f32.
Rows expect_f32_rows(const KernelDesc& d, const ir::Type& t, const char* role);
// A last axis cut into pieces (split's results, concat's operands) of [rows, ..., width]
// values: the whole's rows (the leading dim), the groups of the last axis in a row (the
// static dims between: an experts' [R, k, N] has k), the whole's and the pieces' widths
// along the last axis; each piece of the whole's dtype and other dims, the widths adding up.
struct ColumnParts {
  Rows whole;  // width: the whole's last dim
  std::vector<int64_t> widths;
  int64_t groups = 1;
};
ColumnParts expect_column_parts(const KernelDesc& d, const ir::Type& whole, const std::vector<ir::Type>& parts,
                                const char* whole_role, const char* part_role);
// Per-row ids (positions, sequence slots): i32[rows].
void expect_row_ids(const KernelDesc& d, const ir::Type& t, const ir::Dim& rows, const char* role);
// The rows of a KV cache: a static ring length, or the symbol C (the run-time context).
bool is_cache_length(const ir::Dim& rows);

int64_t attr_int(const KernelDesc& d, const std::string& name);
int64_t attr_int_or(const KernelDesc& d, const std::string& name, int64_t fallback);
// Accepts an int as well: "offset = 1" and "offset = 1.0" mean the same.
double attr_float(const KernelDesc& d, const std::string& name);
double attr_float_or(const KernelDesc& d, const std::string& name, double fallback);
std::string attr_string(const KernelDesc& d, const std::string& name);

// One work item per value of `rows` (a symbol or a static count), with a grain
// that gives each split part enough bytes to outweigh the cost of a task.
KernelInfo row_items(const ir::Dim& rows, int64_t bytes_per_item);

}  // namespace lmc::codegen
