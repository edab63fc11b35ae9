#include "codegen/attention_shape.h"

#include <algorithm>

#include "codegen/desc_access.h"
#include "codegen/describe_op.h"
#include "codegen/fused_region.h"
#include "ir/op_traits.h"

namespace lmc::codegen {

namespace {

// Keys per block: the accumulators are rescaled once per block, and the block's
// converted K and V (64 * head_dim floats each) stay in L2 while the run uses them.
constexpr int64_t kBlock = 64;

}  // namespace

int64_t AttentionShape::block() const { return slots.sym ? kBlock : std::min(kBlock, slots.value); }

int64_t AttentionShape::max_tile_rows() const { return std::max<int64_t>(1, kTileQueries / group()); }

AttentionShape attention_shape(const KernelDesc& d) {
  if (d.operands.size() != 6) expect_arity(d, 5, 1);
  expect_arity(d, d.operands.size(), 1);
  AttentionShape s;
  s.heads = attr_int(d, "n_heads");
  s.kv_heads = attr_int(d, "n_kv_heads");
  s.head_dim = attr_int(d, "head_dim");
  if (s.heads <= 0 || s.kv_heads <= 0 || s.head_dim <= 0 || s.heads % s.kv_heads)
    desc_error(d, "n_heads must be a positive multiple of n_kv_heads, head_dim positive");
  s.scale = static_cast<float>(attr_float(d, "scale"));
  s.window = attr_int_or(d, "window", 0);
  s.softcap = static_cast<float>(attr_float_or(d, "softcap", 0.0));
  if (s.window < 0 || s.softcap < 0) desc_error(d, "window and softcap must not be negative");
  const int64_t causal = attr_int_or(d, "causal", 1);
  if (causal != 0 && causal != 1) desc_error(d, "causal must be 0 or 1");
  s.causal = causal == 1;
  if (!s.causal && s.window) desc_error(d, "bidirectional attention (causal = 0) takes no window");

  Rows q = expect_f32_rows(d, d.operands[0], "q");
  if (q.width != s.heads * s.head_dim) desc_error(d, "q rows must hold n_heads * head_dim values");
  s.rows = q.rows;
  for (int i : {1, 2}) {
    const ir::Type& cache = d.operands[i];
    Rows c = expect_rows(d, cache, "kv cache");
    if (!is_cache_length(c.rows) || c.width != s.kv_heads * s.head_dim || !ir::is_cache_dtype(cache.dtype) ||
        s.head_dim % ir::dtype_block_elems(cache.dtype))
      desc_error(d,
                 "kv caches must be [C, n_kv_heads * head_dim] of f32, f16 or q8_0 (whole blocks per head) with "
                 "C static or the symbol C, got " +
                     cache.str());
    s.slots = c.rows;
  }
  if (d.operands[1].dims != d.operands[2].dims) desc_error(d, "k and v caches must have the same shape");
  s.k_dtype = d.operands[1].dtype;
  s.v_dtype = d.operands[2].dtype;
  expect_row_ids(d, d.operands[3], s.rows, "positions");
  expect_row_ids(d, d.operands[4], s.rows, "seq");
  s.key_ends = d.operands.size() == 6;
  if (s.key_ends) expect_row_ids(d, d.operands[5], s.rows, "key_ends");
  if (s.key_ends && !s.causal) desc_error(d, "bidirectional attention (causal = 0) takes no key_ends");
  if (!(d.results[0] == d.operands[0])) desc_error(d, "result must have q's type");
  return s;
}

KernelInfo attention_work_items(const KernelDesc& d) {
  AttentionShape s = attention_shape(describe(*fused_region(d).anchor));
  KernelInfo k;
  if (s.rows.sym) {
    k.uses_sym = true;
    k.sym = *s.rows.sym;
    k.per_sym = s.heads;
  } else {
    k.fixed = s.rows.value * s.heads;
  }
  k.grain = 1;  // each item reads a whole window of keys
  return k;
}

}  // namespace lmc::codegen
