// What codegen needs to know of one op to generate its kernel: kind, operand and
// result types (static dims specialise the code), attributes. Ops whose descriptors
// print the same key share one kernel.
#pragma once
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "ir/attribute.h"
#include "ir/graph.h"
#include "ir/type.h"

namespace lmc::codegen {

struct KernelDesc {
  std::string kind;                  // the IR op name: "linear", "rms_norm", ...
  std::vector<ir::Type> operands;
  std::vector<ir::Type> results;
  ir::AttrMap attrs;
  std::shared_ptr<const ir::Graph> body;  // a fusion's body (its own copy), else nullptr
  std::string key() const;           // canonical signature text
};

// How many work items a kernel splits into: items = per_sym * syms[sym] (or
// `fixed` when it does not depend on a symbol), and the grain below which a
// split does not pay.
//
// A kernel whose per-call setup is per row (a GEMM quantizes and packs its input
// rows, and computes a fused prologue, once per call) sets rows_from: from that many
// rows (syms[sym]) on, the work items are the rows themselves, and the runtime splits
// them evenly over its threads, so that each row's setup is done once.
//
// A kernel whose per-call setup is per column (the bf16 tile GEMM decodes each weight
// into bf16 once per call) sets cols_from as well: from that many rows on, the work
// items are its columns again (`fixed`), split into one even share per thread in whole
// grains, so that no two threads decode the same weights.
struct KernelInfo {
  bool uses_sym = false;
  ir::Sym sym = ir::Sym::T;
  int64_t per_sym = 1;
  int64_t fixed = 1;
  int64_t grain = 1;
  int64_t rows_from = 0;  // 0: never
  int64_t cols_from = 0;  // 0: never
  bool splits_columns(const int64_t* syms) const { return cols_from > 0 && syms[static_cast<int>(sym)] >= cols_from; }
  bool splits_rows(const int64_t* syms) const {
    return rows_from > 0 && syms[static_cast<int>(sym)] >= rows_from && !splits_columns(syms);
  }
  // One share per thread, each setting itself up once.
  bool even_shares(const int64_t* syms) const { return splits_rows(syms) || splits_columns(syms); }
  int64_t items(const int64_t* syms) const {
    if (splits_columns(syms)) return fixed;
    if (splits_rows(syms)) return syms[static_cast<int>(sym)];
    return uses_sym ? per_sym * syms[static_cast<int>(sym)] : fixed;
  }
  // The grain of a split over `threads` threads: at most kCallsPerThread calls per
  // thread, since each call prepares its input again (a prologue's row statistics, a
  // linear's quantized input rows) and more calls only balance the load a little better.
  static constexpr int64_t kCallsPerThread = 2;
  int64_t grain_for(const int64_t* syms, int threads) const {
    int64_t n = items(syms);
    if (splits_rows(syms)) return (n + threads - 1) / threads;
    if (splits_columns(syms)) return ((n + threads - 1) / threads + grain - 1) / grain * grain;
    return std::max(grain, (n + kCallsPerThread * threads - 1) / (kCallsPerThread * threads));
  }
};

}  // namespace lmc::codegen
