#include "codegen/fused_rows_shape.h"

#include "codegen/desc_access.h"

namespace lmc::codegen {

FusedRowsLayout fused_rows_layout(const KernelDesc& d, const FusedRegion& r) {
  FusedRowsLayout l;
  if (r.row_type.rank() > 0) l.rows = r.row_type.dims[0];
  l.width = r.row_type.row_width();
  if (r.anchor) desc_error(d, "not an anchor-less region");
  return l;
}

KernelInfo fused_rows_work_items(const KernelDesc& d) {
  FusedRegion r = fused_region(d);
  FusedRowsLayout l = fused_rows_layout(d, r);
  int64_t buffers = static_cast<int64_t>(r.body->args().size() + r.body->outputs().size());
  return row_items(l.rows, l.width * 4 * buffers);
}

}  // namespace lmc::codegen
