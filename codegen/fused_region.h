// How a kernel generator sees a fusion body: the anchor it is built around (linear,
// embedding) or none, and the parts around it — the prologue that computes the
// anchor's input as it is loaded, the epilogue applied to its result before it is
// stored. A plain op (rms_norm, add, linear...) is the one-op body of itself, so
// every kernel of these kinds comes from the same generator.
#pragma once
#include <memory>

#include "codegen/kernel_desc.h"

namespace lmc::codegen {

struct FusedRegion {
  std::shared_ptr<const ir::Graph> body;
  const ir::Op* anchor = nullptr;  // nullptr: a chain of elementwise ops and row reductions
  ir::Type row_type;               // the type whose rows the kernel walks
  int64_t segment = 0;             // columns per reduction group (the row width by default)
  bool plain_input = true;         // the anchor reads operand 0 straight from a buffer
  bool plain_output = true;        // the anchor's result is stored as it is, and only it
  unsigned lanes = 32;             // columns per vector step (fewer when a rope's pairs need it)
};

// Validates the body against what the generator can fuse; throws lmc::Error naming
// the kernel key and the offending op otherwise.
FusedRegion fused_region(const KernelDesc& d);

}  // namespace lmc::codegen
