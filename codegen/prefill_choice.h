// Which prefill kernel a linear or an attention takes on a target: the one place that
// answers it, asked by the emitters (from the function's target features) and by the cost
// model and the tune-prefill pass's candidates (from a target spec), so a choice the tuner
// times is the kernel codegen generates.
//
// A linear's `prefill` attribute (ir/prefill_kernel.h) names its kernel; without it, the
// int8 tiles where the target has them, else the vector (VNNI) kernels. The int8 tiles need
// AMX-TILE, AMX-INT8 and 512-bit VNNI (their sums end in its lanes), and take x16 panels;
// the bf16 tile GEMM needs AMX-TILE and AMX-BF16 and takes block and f32 weights (every
// part's; f32 ones it rounds to bf16, which the tuner never chooses on its own:
// ir::rounds_full_precision). A kernel asked for tiles its target lacks is a compile error
// naming them; asked for tiles that do not take its weights (int8 tiles over row-major
// weights alone), it keeps the vector kernels, as the forcing flags ask for every linear
// alike.
#pragma once
#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "codegen/target.h"
#include "ir/dtype.h"
#include "ir/prefill_kernel.h"

namespace lmc::codegen {

// Whether the target has an LLVM feature ("amx-int8").
using HasFeature = std::function<bool(std::string_view)>;

// A target spec's features as its kernels' functions carry them (the "+a,-b" list, later
// entries winning), which is what the emitters ask: a CPU name alone implies none.
HasFeature spec_features(const TargetSpec& spec);

// Whether the bf16 tile GEMM takes a linear whose weight parts have these dtypes: every
// part a block type or f32.
bool bf16_tiles_take(const std::vector<ir::DType>& parts);

// The kernels a target offers a linear whose weight parts have these dtypes, in the order
// ties are broken (vnni first): each one that would generate different code.
std::vector<ir::PrefillKernel> linear_prefill_kernels(const std::vector<ir::DType>& parts, const HasFeature& has);

// The kernel a linear takes: `asked`, or the default. Throws lmc::Error naming the kernel
// and the missing features when the target cannot run what was asked.
ir::PrefillKernel linear_prefill_kernel(std::optional<ir::PrefillKernel> asked, const std::vector<ir::DType>& parts,
                                        const HasFeature& has);

// The kernels a target offers an attention: vnni, and bf16_tiles with AMX-BF16.
std::vector<ir::PrefillKernel> attention_prefill_kernels(const HasFeature& has);

// Whether an attention's prefill takes the bf16 tiles: only when asked (its default is
// the vector kernel); throws as linear_prefill_kernel does.
bool attention_bf16_tiles(std::optional<ir::PrefillKernel> asked, const HasFeature& has);

}  // namespace lmc::codegen
