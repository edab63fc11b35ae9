#include "codegen/split_shape.h"

#include <variant>

namespace lmc::codegen {

SplitShape split_shape(const KernelDesc& d) {
  if (d.operands.size() != 1 || d.results.empty()) desc_error(d, "expected 1 operand and at least 1 result");
  if (attr_int_or(d, "axis", 1) != 1) desc_error(d, "only axis = 1 (columns) is supported");
  SplitShape s{expect_rows(d, d.operands[0], "input"), {}};
  int64_t total = 0;
  for (const auto& y : d.results) {
    Rows r = expect_rows(d, y, "result");
    if (y.dtype != d.operands[0].dtype || !(r.rows == s.x.rows))
      desc_error(d, "results must have the input's dtype and rows, got " + y.str());
    s.widths.push_back(r.width);
    total += r.width;
  }
  if (total != s.x.width) desc_error(d, "result widths must add up to the input width");
  if (auto it = d.attrs.find("sizes"); it != d.attrs.end()) {
    const auto* sizes = std::get_if<std::vector<int64_t>>(&it->second);
    if (!sizes || *sizes != s.widths) desc_error(d, "attribute 'sizes' must list the result widths");
  }
  return s;
}

KernelInfo split_work_items(const KernelDesc& d) {
  SplitShape s = split_shape(d);
  return row_items(s.x.rows, 2 * ir::dtype_row_bytes(d.operands[0].dtype, s.x.width));
}

}  // namespace lmc::codegen
