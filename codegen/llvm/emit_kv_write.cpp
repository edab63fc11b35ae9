// kv_write(cache[C,W], x[R,W], positions[R], seq[R]) -> cache': row r of x goes to
// slot positions[r] % C of sequence seq[r]'s cache, so a sliding-window layer's cache
// is a ring of C slots. C is static for a ring, or the symbol C (the context, bound at
// run time) for a cache that holds every position. The cache operand's type is one
// sequence's cache; its buffer holds one per sequence slot, back to back (the runtime
// allocates them, runtime/kv_cache.h), so sequence s starts s * C rows in. The result
// aliases the cache (the runtime passes the same buffer), and only the R new rows are
// written, converted to the cache's dtype (f32, f16 or q8_0: codegen/llvm/cache_rows.h). Work
// items: rows of x.
#include <llvm/IR/Function.h>

#include "codegen/kv_write_shape.h"
#include "codegen/llvm/builder/llvm_helpers.h"
#include "codegen/llvm/cache_rows.h"
#include "codegen/llvm/emitter.h"

namespace lmc::codegen {

namespace {

void emit(llvm::Function& fn, const KernelDesc& d) {
  KvWriteShape s = kv_write_shape(d);
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

}  // namespace

void emit_kv_write_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
