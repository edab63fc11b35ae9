#include "codegen/embedding_shape.h"

#include "codegen/desc_access.h"
#include "codegen/fused_region.h"

namespace lmc::codegen {

EmbeddingShape embedding_shape(const KernelDesc& d, const ir::Op& anchor) {
  if (anchor.operands().size() != 2 || anchor.num_results() != 1) desc_error(d, "embedding takes 2 operands");
  const ir::Type& table = anchor.operand(0)->type();
  if (table.rank() != 2 || !table.is_static())
    desc_error(d, "table must be [V,D] with static dims, got " + table.str());
  EmbeddingShape s{table.dtype, table.dims[0].value, table.dims[1].value, {}, 0, anchor.has_attr("begin")};
  if (s.share) s.begin = anchor.attr_int("begin");
  bool kept = ir::is_kept_from_source(s.dtype);
  bool blocks = s.dtype == ir::DType::q8_0 || s.dtype == ir::DType::q8_0x16 || kept;
  if (s.dtype != ir::DType::f32 && s.dtype != ir::DType::f16 && !blocks)
    desc_error(d,
               "table must be f32, f16, q8_0, q8_0x16 or a block type kept from a file (q4_0 ... q6_k, q3_k, q2_k, "
               "iq4_nl, iq4_xs), got " +
                   table.str());
  if (blocks && s.width % ir::dtype_block_elems(s.dtype)) desc_error(d, "block rows must be whole blocks");
  if (s.vocab % ir::dtype_panel_rows(s.dtype)) desc_error(d, "q8_0x16 tables must be whole panels of rows");
  const ir::Type& ids = anchor.operand(1)->type();
  if (ids.dtype != ir::DType::i32 || ids.rank() != 1) desc_error(d, "ids must be i32[R], got " + ids.str());
  s.rows = ids.dims[0];
  Rows y = expect_f32_rows(d, anchor.result()->type(), "result");
  if (!(y.rows == s.rows) || y.width != s.width)
    desc_error(d, "result must be f32[" + s.rows.str() + "," + std::to_string(s.width) + "]");
  return s;
}

KernelInfo embedding_work_items(const KernelDesc& d) {
  EmbeddingShape s = embedding_shape(d, *fused_region(d).anchor);
  return row_items(s.rows, s.width * 4 + ir::dtype_row_bytes(s.dtype, s.width));
}

}  // namespace lmc::codegen
