// The static shape of an expert_linear kernel (codegen/llvm/emit_expert_linear.cpp), validated
// from its descriptor, and its work items. Free of LLVM. Each (row, slot) pair is one row
// through one expert's [N, K] weight, which the plain linear kernel of `inner` computes:
// one pair at a time for a single row, the pairs of an expert together from two rows on.
#pragma once
#include "codegen/desc_access.h"

namespace lmc::codegen {

struct ExpertLinearShape {
  ir::Dim rows;
  int64_t k = 0;        // slots per row
  int64_t experts = 0;  // E
  int64_t N = 0, K = 0;
  bool per_slot_input = false;  // x is [R, k, K], else [R, K] for every slot
  int64_t expert_bytes = 0;     // one expert's weight
  int64_t col_unit = 1;         // output columns per work item (a panel's rows)
  KernelDesc inner;             // the linear of one pair: f32[T, K] · w[N, K]ᵀ
  // Pairs of one expert computed in one call of `inner` (its decode path, which reads the
  // expert's weights once for all of them), their input and output rows gathered on the
  // stack: as many as fit kGroupBytes, at most the decode path's rows.
  int64_t group_rows = 1;
};

// From this many rows on, a call takes whole rows and computes their pairs expert by expert.
constexpr int64_t kGroupFromRows = 2;

// Throws lmc::Error naming the kernel key when d is not an expert_linear the emitter handles.
ExpertLinearShape expert_linear_shape(const KernelDesc& d);

// Each pair's output columns, in units of col_unit (R * k * N / col_unit), for one row; the
// rows from kGroupFromRows on.
KernelInfo expert_linear_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
