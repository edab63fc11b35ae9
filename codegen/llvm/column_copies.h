// The copies split and concat make: each row's groups of the last axis, piece by piece,
// between the whole and its pieces (codegen/desc_access.h: ColumnParts). Work items: rows.
#pragma once
#include "codegen/desc_access.h"
#include "codegen/llvm/builder/llvm_helpers.h"

namespace lmc::codegen {

enum class CopyDirection { IntoPieces, IntoWhole };

void emit_column_copies(Builder& b, const KernelParams& p, const ColumnParts& s, ir::DType dtype, llvm::Value* whole,
                        const std::vector<llvm::Value*>& pieces, CopyDirection direction);

}  // namespace lmc::codegen
