#include "codegen/split_shape.h"

#include <variant>

namespace lmc::codegen {

ColumnParts split_shape(const KernelDesc& d) {
  if (d.operands.size() != 1 || d.results.empty()) desc_error(d, "expected 1 operand and at least 1 result");
  ColumnParts s = expect_column_parts(d, d.operands[0], d.results, "input", "result");
  if (auto it = d.attrs.find("sizes"); it != d.attrs.end()) {
    const auto* sizes = std::get_if<std::vector<int64_t>>(&it->second);
    if (!sizes || *sizes != s.widths) desc_error(d, "attribute 'sizes' must list the result widths");
  }
  return s;
}

KernelInfo split_work_items(const KernelDesc& d) {
  ColumnParts s = split_shape(d);
  return row_items(s.whole.rows, 2 * s.groups * ir::dtype_row_bytes(d.operands[0].dtype, s.whole.width));
}

}  // namespace lmc::codegen
