// What the linear kernel's two code paths (decode: few rows, memory-bound;
// prefill: many rows, compute-bound) share: the validated shape of the anchor and
// the fused region around it — the prologue that computes each input value as it
// is loaded, and the epilogue applied to each output value before it is stored.
#pragma once
#include <memory>
#include <string>

#include "codegen/region_io.h"

namespace lmc::codegen {

// Up to this many rows the decode path streams the weights once for all of them; from
// one more on, the blocked paths (prefill) pack each weight panel once for many rows.
// For block weights the two sum a row's products in the same order (i32 per block,
// scaled into f32 once per block), so a row's numbers do not depend on the path: a
// batched sequence's logits equal its logits alone (runtime/batch_generator.h). At 8
// rows the int8 GEMM gains nothing on the decode path (Gemma 3 270M, 8 batched decode
// rows at 2 threads: 64.5 ms of kernel time a step on either, `lmc run --prompts
// --parallel 8 --trace-out`; batch_q8_0 in bench_linear); f32 weights' FMA panels need
// more rows.
constexpr int64_t kDecodeMaxRows = 8;
constexpr int64_t kPrefillMinRows = kDecodeMaxRows + 1;

struct LinearShape {
  int64_t K = 0;         // reduction length (w is [N,K])
  int64_t N = 0;         // output columns = work items
  ir::DType wtype = ir::DType::f32;  // f32, q8_0, q8_0x16 or a block type kept from a file
  ir::Dim rows;          // T
  int64_t w_row_bytes() const;
  // Output columns per work item: the weight's rows per panel (16 for q8_0x16), so that
  // a call's columns are whole panels.
  int64_t col_unit() const { return ir::dtype_panel_rows(wtype); }
};

// Validates the anchor against the linear contract; throws lmc::Error naming the
// kernel key on any mismatch.
LinearShape linear_shape(const KernelDesc& d, const FusedRegion& r);

// The kernel's buffers and the region around the linear, inside the function.
class LinearIO {
 public:
  LinearIO(Builder& b, const KernelParams& p, const FusedRegion& r, const LinearShape& s);

  llvm::Value* w() const { return w_; }
  llvm::Value* T() const { return T_; }
  // The call's work items [begin, end) are output columns of every row (decode), or,
  // after split_rows(), rows of every column (prefill: KernelInfo::rows_from).
  void split_rows() { rows_split_ = true; }
  llvm::Value* row_begin() const { return rows_split_ ? begin_ : i64c(b_, 0); }
  llvm::Value* row_end() const { return rows_split_ ? end_ : T_; }
  llvm::Value* col_begin() const { return rows_split_ ? i64c(b_, 0) : columns(begin_); }
  llvm::Value* col_end() const { return rows_split_ ? i64c(b_, s_.N) : columns(end_); }
  bool plain_input() const { return region_.plain_input; }
  bool plain_output() const { return region_.plain_output; }
  llvm::Value* x() const { return x_; }          // the input buffer when plain_input()
  llvm::Value* acc() const { return io_.first_output(); }  // partial sums

  void prepare_rows(llvm::Value* t0, llvm::Value* rows) { io_.prepare_rows(t0, rows); }
  // `lanes` input values of row t from column k (count: valid lanes of a tail).
  llvm::Value* load_input(llvm::Value* t, llvm::Value* k, unsigned lanes, llvm::Value* count = nullptr);
  // &w[n, 0]
  llvm::Value* weight_row(llvm::Value* n);
  // y[t, n ..] = v (scalar or `lanes` values), through the epilogue into every yield.
  void store_output(llvm::Value* t, llvm::Value* n, llvm::Value* v, unsigned lanes, llvm::Value* count = nullptr);

 private:
  Builder& b_;
  const FusedRegion& region_;
  const LinearShape& s_;
  RegionIO io_;
  llvm::Value *x_ = nullptr, *w_, *T_, *begin_, *end_;
  bool rows_split_ = false;

  llvm::Value* columns(llvm::Value* item) const {
    return s_.col_unit() == 1 ? item : b_.CreateMul(item, i64c(b_, s_.col_unit()));
  }
};

// prefetcht1 of p + distance: the weights a kernel reads next, which the hardware
// prefetchers leave to DRAM latency while only a few short rows are in flight.
void prefetch_ahead(Builder& b, llvm::Value* p, int64_t distance);

void emit_linear_decode(Builder& b, const LinearShape& s, LinearIO& io);
void emit_linear_prefill(Builder& b, const LinearShape& s, LinearIO& io);         // f32 weights
void emit_linear_prefill_blocks(Builder& b, const LinearShape& s, LinearIO& io);  // block weights
void emit_linear_panels(Builder& b, const LinearShape& s, LinearIO& io);          // q8_0x16, any rows

}  // namespace lmc::codegen
