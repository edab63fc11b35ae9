// The static shape of a bf16_panels kernel (codegen/llvm/emit_bf16_panels.cpp), validated
// from its descriptor, and its work items. No IR op lowers to this kind: it is the bf16 tile
// GEMM's weight decode alone (codegen/llvm/linear/bf16_weights.h), generated from the same
// code, so that a host without the tile unit can check the decode bit for bit and time it
// (bench_linear's decode_bf16 benchmarks). Free of LLVM.
#pragma once
#include "codegen/desc_access.h"
#include "codegen/linear_shape.h"

namespace lmc::codegen {

// bf16_panels(w[N,K] of a block type) -> bf16[N32,K], N32 = N rounded up to 32: for each
// column pair of 32, its K x 32 weights as the GEMM's B tiles (K / 32 steps of two 1 KiB
// tiles), pair after pair; the result 64-byte aligned, as the runtime's buffers are.
struct Bf16PanelsShape {
  LinearShape weight;  // rows unused
  int64_t columns = 0;  // N32
};

// Throws lmc::Error naming the kernel key when d is not a bf16_panels the emitter handles.
Bf16PanelsShape bf16_panels_shape(const KernelDesc& d);

// Column pairs.
KernelInfo bf16_panels_work_items(const KernelDesc& d);

}  // namespace lmc::codegen
