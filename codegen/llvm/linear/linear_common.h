// What the linear kernel's two code paths (decode: few rows, memory-bound;
// prefill: many rows, compute-bound) share: the validated shape of the anchor
// (codegen/linear_shape.h) and the fused region around it — the prologue that
// computes each input value as it is loaded, and the epilogue applied to each output
// value before it is stored.
#pragma once
#include <memory>
#include <string>

#include "codegen/linear_shape.h"
#include "codegen/llvm/region/region_io.h"

namespace lmc::codegen {

// The kernel's buffers and the region around the linear, inside the function. The
// code paths see one weight part at a time (select): its weight, its columns of the
// call, and its outputs at its columns of the result.
class LinearIO {
 public:
  LinearIO(Builder& b, const KernelParams& p, const FusedRegion& r, const LinearParts& s);

  // The weight part the code emitted next reads (parts.parts[i]).
  void select(size_t part);
  llvm::Value* w() const { return w_; }
  llvm::Value* T() const { return T_; }
  // The call's work items [begin, end) are output columns of every row (decode), or,
  // after split_rows(), rows of every column (prefill: KernelInfo::rows_from). Columns
  // are the selected part's own: [0, N) when the call sweeps them all.
  void split_rows() { rows_split_ = true; }
  // Back to column items for the code emitted next (the bf16 tile GEMM's: every row).
  void split_columns() { rows_split_ = false; }
  llvm::Value* row_begin() const { return rows_split_ ? begin_ : i64c(b_, 0); }
  llvm::Value* row_end() const { return rows_split_ ? end_ : T_; }
  llvm::Value* col_begin() const { return rows_split_ ? i64c(b_, 0) : part_columns(begin_); }
  llvm::Value* col_end() const { return rows_split_ ? i64c(b_, part().N) : part_columns(end_); }
  bool plain_input() const { return region_.plain_input; }
  bool plain_output() const { return region_.plain_output; }
  llvm::Value* x() const { return x_; }          // the input buffer when plain_input()
  llvm::Value* acc() const { return io_.first_output(); }  // partial sums
  // &acc[t, n] at the selected part's column n, and the f32s from one row of acc to the next.
  llvm::Value* acc_at(llvm::Value* t, llvm::Value* n) const;
  int64_t acc_stride() const { return s_.N; }

  void prepare_rows(llvm::Value* t0, llvm::Value* rows) { io_.prepare_rows(t0, rows); }
  // `lanes` input values of row t from column k (count: valid lanes of a tail).
  llvm::Value* load_input(llvm::Value* t, llvm::Value* k, unsigned lanes, llvm::Value* count = nullptr);
  // &w[n, 0] of the selected part
  llvm::Value* weight_row(llvm::Value* n);
  // y[t, n ..] = v (scalar or `lanes` values) at the selected part's column n, through the
  // epilogue into every yield.
  void store_output(llvm::Value* t, llvm::Value* n, llvm::Value* v, unsigned lanes, llvm::Value* count = nullptr);

  // Whether a path may store its sums as they are (store_sums) and run the epilogue after,
  // over whole rows of them (finish_outputs): a region with an epilogue whose first yield
  // has the linear's own shape, to hold the sums. On a register tile's few columns the
  // epilogue took narrow vectors and long dependency chains between the tile's loops, and
  // kept its constants in the registers of the loop over k: fused, an activation cost up
  // to twice its own kernel's time (tests/codegen/bench_epilogue.cpp).
  bool defers_epilogue() const { return defers_; }
  void store_sums(llvm::Value* t, llvm::Value* n, llvm::Value* v, unsigned lanes, llvm::Value* count = nullptr);
  // store_sums when the epilogue is deferred, else store_output: for a path that calls
  // finish_outputs over what it stored.
  void store_or_defer(llvm::Value* t, llvm::Value* n, llvm::Value* v, unsigned lanes, llvm::Value* count = nullptr) {
    if (defers_)
      store_sums(t, n, v, lanes, count);
    else
      store_output(t, n, v, lanes, count);
  }
  // The epilogue over rows [t0, t0 + rows) x the selected part's columns [n0, n1), their
  // sums stored: the region's step (FusedRegion::lanes, 32 columns: two zmm or four ymm
  // registers, as the activation's own kernel takes them), a masked tail. One register a
  // step left gelu's polynomials latency-bound: 4% slower fused than split (bench_epilogue).
  void finish_outputs(llvm::Value* t0, llvm::Value* rows, llvm::Value* n0, llvm::Value* n1);

 private:
  Builder& b_;
  const FusedRegion& region_;
  const LinearParts& s_;
  RegionIO io_;
  llvm::Value *x_ = nullptr, *w_ = nullptr, *T_, *begin_, *end_;
  size_t part_ = 0;
  bool rows_split_ = false;
  bool defers_ = false;

  const LinearShape& part() const { return s_.parts[part_]; }
  llvm::Value* result_column(llvm::Value* n) const;  // the selected part's column n in the result
  // The call's columns of work item `item`, as the selected part's, clamped to [0, N].
  llvm::Value* part_columns(llvm::Value* item) const;
};

// prefetcht1 of p + distance: the weights a kernel reads next, which the hardware
// prefetchers leave to DRAM latency while only a few short rows are in flight.
void prefetch_ahead(Builder& b, llvm::Value* p, int64_t distance);
void prefetch_ahead(Builder& b, llvm::Value* p, llvm::Value* distance);

void emit_linear_decode(Builder& b, const LinearShape& s, LinearIO& io);
void emit_linear_prefill(Builder& b, const LinearShape& s, LinearIO& io);         // f32 weights
void emit_linear_prefill_blocks(Builder& b, const LinearShape& s, LinearIO& io);  // block weights
// q8_0x16 and the other x16 panels, any rows; with `int8_tiles`, rows by 16 on the AMX int8
// tiles (tile_panels.h).
void emit_linear_panels(Builder& b, const LinearShape& s, LinearIO& io, bool int8_tiles);

}  // namespace lmc::codegen
