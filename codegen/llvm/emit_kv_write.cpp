// kv_write(cache[C,W], x[R,W], positions[R], seq[R]) -> cache': row r of x goes to
// position positions[r] of sequence seq[r]'s cache. C is the symbol C (the context, bound
// at run time) for a cache that holds every position: it is paged, the row found through
// the KV page table (codegen/llvm/kv_pages.h), the window page table with a window
// attribute (a sliding-window layer's). C is static for a ring: slot positions[r] % C of the sequence's ring, the rings
// of the sequence slots back to back, so sequence s starts s * C rows in (the runtime allocates both,
// runtime/kv_cache.h). The result aliases the cache (the runtime passes the same buffer),
// and only the R new rows are written, converted to the cache's dtype (f32, f16 or q8_0:
// codegen/llvm/cache_rows.h). Work items: rows of x.
#include <optional>

#include <llvm/IR/Function.h>

#include "codegen/kv_write_shape.h"
#include "codegen/llvm/builder/llvm_helpers.h"
#include "codegen/llvm/cache_rows.h"
#include "codegen/llvm/emitter.h"
#include "codegen/llvm/kv_pages.h"

namespace lmc::codegen {

namespace {

void emit(llvm::Function& fn, const KernelDesc& d) {
  KvWriteShape s = kv_write_shape(d);
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  llvm::Value* slots = dim_value(b, p, s.cache.rows);
  std::optional<KvPages> pages;
  if (s.cache.rows.sym) pages.emplace(b, p, d, attr_int_or(d, "window", 0) > 0);
  llvm::Value* x = arg_pointer(b, p, 1);
  llvm::Value* positions = arg_pointer(b, p, 2);
  llvm::Value* seq = arg_pointer(b, p, 3);
  llvm::Value* out = arg_pointer(b, p, 4);
  emit_for(b, p.begin, p.end, 1, [&](llvm::Value* r) {
    auto* pos = i32_at(b, positions, r);
    auto* sequence = i32_at(b, seq, r);
    llvm::Value* slot = pages ? kv_page_row(b, pages->of_sequence(sequence), pos)
                              : b.CreateAdd(b.CreateMul(sequence, slots), b.CreateSRem(pos, slots));
    store_cache_row(b, s.dtype, f32_ptr(b, x, b.CreateMul(r, i64c(b, s.x.width))),
                    byte_ptr(b, out, b.CreateMul(slot, i64c(b, s.row_bytes))), s.x.width);
  });
  b.CreateRetVoid();
}

}  // namespace

void emit_kv_write_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
