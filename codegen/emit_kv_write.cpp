// kv_write(cache[C,W], x[R,W], positions[R], seq[R]) -> cache': row r of x goes to
// slot positions[r] % C of sequence seq[r]'s cache, so a sliding-window layer's cache
// is a ring of C slots. C is static for a ring, or the symbol C (the context, bound at
// run time) for a cache that holds every position. The cache operand's type is one
// sequence's cache; its buffer holds one per sequence slot, back to back (the runtime
// allocates them, runtime/kv_cache.h), so sequence s starts s * C rows in. The result
// aliases the cache (the runtime passes the same buffer), and only the R new rows are
// written, converted to the cache's dtype (f32, f16 or q8_0: codegen/cache_rows.h). Work
// items: rows of x.
#include <llvm/IR/Function.h>

#include "codegen/cache_rows.h"
#include "codegen/desc_access.h"
#include "codegen/emitter.h"
#include "codegen/llvm_helpers.h"
#include "ir/op_traits.h"

namespace lmc::codegen {

namespace {

struct Shape {
  Rows cache;
  Rows x;
  ir::DType dtype = ir::DType::f32;
  int64_t row_bytes = 0;  // of a cache row
};

Shape shape(const KernelDesc& d) {
  expect_arity(d, 4, 1);
  const ir::Type& cache = d.operands[0];
  Shape s{expect_rows(d, cache, "cache"), {}};
  if (!is_cache_length(s.cache.rows)) desc_error(d, "cache must be [C,W] with C static or the symbol C, got " + cache.str());
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

void emit(llvm::Function& fn, const KernelDesc& d) {
  Shape s = shape(d);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  llvm::Value* slots = dim_value(b, p, s.cache.rows);
  llvm::Value* x = arg_pointer(b, p, 1);
  llvm::Value* positions = arg_pointer(b, p, 2);
  llvm::Value* seq = arg_pointer(b, p, 3);
  llvm::Value* out = arg_pointer(b, p, 4);
  emit_for(b, p.begin, p.end, 1, [&](llvm::Value* r) {
    auto* first = b.CreateMul(i32_at(b, seq, r), slots);
    auto* slot = b.CreateAdd(first, b.CreateSRem(i32_at(b, positions, r), slots));
    store_cache_row(b, s.dtype, f32_ptr(b, x, b.CreateMul(r, i64c(b, s.x.width))),
                    byte_ptr(b, out, b.CreateMul(slot, i64c(b, s.row_bytes))), s.x.width);
  });
  b.CreateRetVoid();
}

KernelInfo info(const KernelDesc& d) {
  Shape s = shape(d);
  return row_items(s.x.rows, s.x.width * 4 + s.row_bytes);
}

}  // namespace

extern const Emitter kEmitKvWrite{"kv_write", emit, info};

}  // namespace lmc::codegen
