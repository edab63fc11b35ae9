// AMX kernels run without the tile unit, for their tests on hosts without it: LLVM's own
// scalarization of the tile intrinsics (X86LowerAMXIntrinsics, at CodeGenOptLevel::None
// with -enable-x86-scalar-amx) turns each tileloadd, tdp* and tilestored into plain loops
// with the instructions' exact integer semantics, so the IR a kernel's tiles are generated
// from is checked for its numbers where no tile can run. LLVM 19's scalarization cannot take
// a tilezero (its result feeds a PHI of another type), so a zero tile is loaded from a
// constant instead; nor a tile that crosses blocks (a PHI: a K loop's accumulators, or a
// read in a later block), so such a tile goes through a stack slot. The numbers do not
// change; the tdp* and the loads and stores of A and B are the kernel's own.
#pragma once

namespace llvm {
class Module;
}

namespace lmc::codegen {

// Rewrites `m` for scalar tiles and turns LLVM's scalarization on in this process; the
// module must then be compiled by a target machine at CodeGenOptLevel::None.
void prepare_scalar_tiles(llvm::Module& m);

}  // namespace lmc::codegen
