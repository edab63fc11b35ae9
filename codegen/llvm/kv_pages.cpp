#include "codegen/llvm/kv_pages.h"

#include "codegen/kernel_abi.h"

namespace lmc::codegen {

KvPages::KvPages(Builder& b, const KernelParams& p, const KernelDesc& d, bool window)
    : b_(b), table_(arg_pointer(b, p, static_cast<int>(d.operands.size() + d.results.size()) + (window ? 1 : 0))) {
  auto* context = sym_value(b, p, ir::Sym::C);
  per_sequence_ = b.CreateUDiv(b.CreateAdd(context, i64c(b, kKvPageRows - 1)), i64c(b, kKvPageRows));
}

llvm::Value* KvPages::of_sequence(llvm::Value* seq) const {
  return b_.CreateInBoundsGEP(b_.getInt32Ty(), table_, b_.CreateMul(seq, per_sequence_));
}

llvm::Value* kv_page_row(Builder& b, llvm::Value* pages, llvm::Value* pos) {
  auto* first = i32_at(b, pages, b.CreateUDiv(pos, i64c(b, kKvPageRows)));
  return b.CreateAdd(first, b.CreateURem(pos, i64c(b, kKvPageRows)));
}

}  // namespace lmc::codegen
