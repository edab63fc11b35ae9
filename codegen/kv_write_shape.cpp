#include "codegen/kv_write_shape.h"

#include "ir/op_traits.h"

namespace lmc::codegen {

KvWriteShape kv_write_shape(const KernelDesc& d) {
  expect_arity(d, 4, 1);
  const ir::Type& cache = d.operands[0];
  KvWriteShape s{expect_rows(d, cache, "cache"), {}};
  if (!is_cache_length(s.cache.rows))
    desc_error(d, "cache must be [C,W] with C static or the symbol C, got " + cache.str());
  s.x = expect_f32_rows(d, d.operands[1], "input");
  if (s.x.width != s.cache.width) desc_error(d, "input rows must match the cache's width");
  s.dtype = cache.dtype;
  if (!ir::is_cache_dtype(s.dtype) || s.cache.width % ir::dtype_block_elems(s.dtype))
    desc_error(d, "cache must be f32, f16 or whole q8_0 blocks, got " + cache.str());
  expect_row_ids(d, d.operands[2], s.x.rows, "positions");
  expect_row_ids(d, d.operands[3], s.x.rows, "seq");
  if (!(d.results[0] == cache)) desc_error(d, "result must have the cache's type");
  s.row_bytes = ir::dtype_row_bytes(cache.dtype, s.cache.width);
  return s;
}

KernelInfo kv_write_work_items(const KernelDesc& d) {
  KvWriteShape s = kv_write_shape(d);
  return row_items(s.x.rows, s.x.width * 4 + s.row_bytes);
}

}  // namespace lmc::codegen
