// Which kernel a prefill step's linear (or attention) runs, named by the op's string
// attribute `prefill`: "vnni" (the AVX2/AVX-512 vector kernels every host runs), "int8_tiles"
// (AMX int8 tiles over x16 panels), "bf16_tiles" (the AMX bf16 tile GEMM). No attribute is
// the default: the int8 tiles where the target has them, else the vector kernels. The
// tune-prefill pass sets it from measurements (or a forcing flag), codegen honours it, and a
// kernel asked for one its target lacks is a compile error naming it. An op takes the
// attribute when its trait prefill_kernels says so (ir/op_traits.h).
#pragma once
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ir/type.h"

namespace lmc::ir {

class Op;

// In the order a tie between two measured times is broken: the first wins.
enum class PrefillKernel { Vnni, Int8Tiles, Bf16Tiles };
inline constexpr std::array<PrefillKernel, 3> kPrefillKernels = {PrefillKernel::Vnni, PrefillKernel::Int8Tiles,
                                                                 PrefillKernel::Bf16Tiles};
inline constexpr const char* kPrefillAttr = "prefill";

const char* prefill_kernel_name(PrefillKernel k);
std::optional<PrefillKernel> parse_prefill_kernel(std::string_view name);
// The bit of k in a trait's prefill_kernels mask.
constexpr unsigned prefill_bit(PrefillKernel k) { return 1u << static_cast<unsigned>(k); }
// "vnni, int8_tiles or bf16_tiles": the names in `mask`, for messages.
std::string prefill_names(unsigned mask);

// The kernel `op`'s attribute names; nullopt without one. Throws lmc::Error naming the op
// when the name is not one its trait allows (the verifier reports it first).
std::optional<PrefillKernel> prefill_kernel(const Op& op);

// The weight parts `op`'s prefill kernels differ over, as the tuner groups and times them:
// the operands it may read in panels (a linear's weights; none for attention).
std::vector<Type> prefill_weights(const Op& op);

// Whether k rounds weights the file keeps at full precision: the bf16 tiles over f32 weights
// (their 24-bit significands to 8). A block type's bf16 decode rounds below its own
// quantization step, so the tuner may choose it for speed; f32 weights are f32 because the
// model's author (or its definition: the vision towers' bar against llama.cpp's mtmd) wants
// their bits, so that rounding is the user's to ask for (--amx-bf16, --prefill-kernel),
// never a timing's.
bool rounds_full_precision(PrefillKernel k, const std::vector<Type>& weights);

}  // namespace lmc::ir
