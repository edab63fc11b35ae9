// The tables a rope reads per row (codegen/rope_shape.h gives the angles): the cosine and
// sine of every pair's angle at the row's position, filled once per row and read by each
// head, so the transcendental work is per pair, not per element. The fused-rows generator
// evaluates a rope's value from the op table (ir/op_traits.h: RowRotation) with these.
#pragma once
#include "codegen/llvm/builder/llvm_helpers.h"
#include "codegen/rope_shape.h"

namespace lmc::codegen {

struct RopeTables {
  RopeShape shape;
  llvm::Value* freq = nullptr;  // f64 per pair, zero-padded
  llvm::Value* cos = nullptr;   // f32 per pair (neox) or per feature (normal: 2i and 2i+1 share)
  llvm::Value* sin = nullptr;   // likewise; normal's is signed toward the partner (-sin at 2i)
};

// At the kernel's start: the frequencies (divided by `factors`' values when the op has that
// operand, nullptr otherwise) and the tables' storage.
RopeTables rope_tables(Builder& b, llvm::Function& fn, const RopeShape& s, llvm::Value* factors);

// Fills the tables for a row at `position` (i32).
void fill_rope_tables(Builder& b, const RopeTables& t, llvm::Value* position);

// What an element needs at column `col` of its row (i64, the first of `lanes` columns, which
// lie in one half of one head's rotary part, or all past it).
struct RotationAt {
  llvm::Value* cos;            // table(0), `lanes` wide (a scalar when lanes is 1)
  llvm::Value* sin;            // table(1), negated for a pair's first member
  llvm::Value* partner_shift;  // i64: the partner's column minus col (0 where nothing turns)
  bool swap_lanes;             // the partners are the neighbouring lanes (normal style)
  llvm::Value* rotates;        // i1: the columns lie in the rotary part (else they pass through)
};
RotationAt rotation_at(Builder& b, const RopeTables& t, llvm::Value* col, unsigned lanes);

}  // namespace lmc::codegen
