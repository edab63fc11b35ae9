// kv_write(cache[C,W], x[R,W], positions[R], seq[R]) -> cache': row r of x goes to
// slot positions[r] % C of sequence seq[r]'s cache, so a sliding-window layer's cache
// is a ring of C slots. C is static for a ring, or the symbol C (the context, bound at
// run time) for a cache that holds every position. The cache operand's type is one
// sequence's cache; its buffer holds one per sequence slot, back to back (the runtime
// allocates them, runtime/kv_cache.h), so sequence s starts s * C rows in. The result
// aliases the cache (the runtime passes the same buffer), and only the R new rows are
// written. Work items: rows of x.
#include <llvm/IR/Function.h>

#include "codegen/desc_access.h"
#include "codegen/emitter.h"
#include "codegen/llvm_helpers.h"

namespace lmc::codegen {

namespace {

struct Shape {
  Rows cache;
  Rows x;
  int64_t row_bytes = 0;
};

Shape shape(const KernelDesc& d) {
  expect_arity(d, 4, 1);
  const ir::Type& cache = d.operands[0];
  Shape s{expect_rows(d, cache, "cache"), expect_rows(d, d.operands[1], "input")};
  if (!is_cache_length(s.cache.rows)) desc_error(d, "cache must be [C,W] with C static or the symbol C, got " + cache.str());
  if (d.operands[1].dtype != cache.dtype || s.x.width != s.cache.width)
    desc_error(d, "input rows must match the cache's dtype and width");
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
  auto* bytes = i64c(b, s.row_bytes);
  emit_for(b, p.begin, p.end, 1, [&](llvm::Value* r) {
    auto* first = b.CreateMul(i32_at(b, seq, r), slots);
    auto* slot = b.CreateAdd(first, b.CreateSRem(i32_at(b, positions, r), slots));
    b.CreateMemCpy(byte_ptr(b, out, b.CreateMul(slot, bytes)), llvm::Align(1), byte_ptr(b, x, b.CreateMul(r, bytes)),
                   llvm::Align(1), s.row_bytes);
  });
  b.CreateRetVoid();
}

KernelInfo info(const KernelDesc& d) {
  Shape s = shape(d);
  return row_items(s.x.rows, 2 * s.row_bytes);
}

}  // namespace

extern const Emitter kEmitKvWrite{"kv_write", emit, info};

}  // namespace lmc::codegen
