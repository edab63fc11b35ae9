#include "codegen/llvm/column_copies.h"

namespace lmc::codegen {

void emit_column_copies(Builder& b, const KernelParams& p, const ColumnParts& s, ir::DType dtype, llvm::Value* whole,
                        const std::vector<llvm::Value*>& pieces, CopyDirection direction) {
  const int64_t whole_bytes = ir::dtype_row_bytes(dtype, s.whole.width);
  emit_for(b, b.CreateMul(p.begin, i64c(b, s.groups)), b.CreateMul(p.end, i64c(b, s.groups)), 1, [&](llvm::Value* g) {
    int64_t col = 0;
    for (size_t i = 0; i < pieces.size(); ++i) {
      int64_t bytes = ir::dtype_row_bytes(dtype, s.widths[i]);
      auto* in_whole = byte_ptr(
          b, whole, b.CreateAdd(b.CreateMul(g, i64c(b, whole_bytes)), i64c(b, ir::dtype_row_bytes(dtype, col))));
      auto* in_piece = byte_ptr(b, pieces[i], b.CreateMul(g, i64c(b, bytes)));
      if (direction == CopyDirection::IntoPieces)
        b.CreateMemCpy(in_piece, llvm::Align(1), in_whole, llvm::Align(1), bytes);
      else
        b.CreateMemCpy(in_whole, llvm::Align(1), in_piece, llvm::Align(1), bytes);
      col += s.widths[i];
    }
  });
}

}  // namespace lmc::codegen
