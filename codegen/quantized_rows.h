// The int8 input rows of the linear kernels' integer paths (decode's byte madds and
// prefill's int8 GEMM): each row's values, as the region's prologue computes them,
// quantized per block of 32 to q = round(x / d) with d = max|x| / 127 in f32 (rounded
// half to even), like ggml's q8 activation blocks; plus, for weight formats with an
// offset (the q4/q5 blocks kept from a file), each block's d·Σq, which the offset meets.
// Both paths round a row the same way, so a row's numbers do not depend on the path.
#pragma once
#include "codegen/linear_common.h"

namespace lmc::codegen {

class QuantizedRows {
 public:
  static constexpr int64_t kBlock = 32;

  // Stack scratch for up to `rows` rows of K values; block sums when `sums`.
  QuantizedRows(Builder& b, int64_t rows, int64_t K, bool sums);

  // Input rows [t0, t0 + rows) into slots [0, rows). A prologue's row statistics must
  // be prepared for them (LinearIO::prepare_rows).
  void fill(Builder& b, LinearIO& io, llvm::Value* t0, llvm::Value* rows) const;

  int64_t blocks() const { return K_ / kBlock; }
  // &q[slot][k] (bytes), and the f32 scale / block sum of block `blk` of a slot.
  llvm::Value* quants(Builder& b, llvm::Value* slot, llvm::Value* k) const;
  llvm::Value* scale(Builder& b, llvm::Value* slot, llvm::Value* blk) const;
  llvm::Value* sum(Builder& b, llvm::Value* slot, llvm::Value* blk) const;
  bool has_sums() const { return sum_ != nullptr; }

 private:
  int64_t K_;
  llvm::Value* q_;    // i8 [rows * K]
  llvm::Value* d_;    // f32 [rows * K/32]
  llvm::Value* sum_;  // f32 [rows * K/32], or null

  llvm::Value* slot_block(Builder& b, llvm::Value* slot, llvm::Value* blk) const;
  void fill_block(Builder& b, LinearIO& io, llvm::Value* t, llvm::Value* slot, llvm::Value* blk) const;
};

}  // namespace lmc::codegen
