// Small helpers for kernel tests: typed descriptors (fusions from the text of their
// body), random data, running a kernel over its work items split across
// std::threads, and the error a malformed descriptor raises.
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>
#include <vector>

#include "codegen/kernel_abi.h"
#include "codegen/kernel_desc.h"
#include "codegen/kernel_library.h"
#include "codegen/target.h"
#include "ir/prefill_kernel.h"
#include "ir/type.h"
#include "support/sanitizers.h"

namespace lmc::test {

ir::Type make_type(ir::DType dt, std::initializer_list<ir::Dim> dims);
// Whether this is the sanitizer build (-DLMC_SANITIZE=ON). The generated kernels are not
// instrumented there, so the long numeric sweeps over them check nothing the optimized build
// does not: they run a sample of their cases.
constexpr bool kSanitizedBuild = LMC_ADDRESS_SANITIZER;

inline ir::Dim T() { return ir::Dim::symbolic(ir::Sym::T); }
inline ir::Dim D(int64_t v) { return ir::Dim::of(v); }

// A fusion kernel for a body given as the text of a graph: its arguments are the
// kernel's operands (in order), its returned values the results. The body must verify.
codegen::KernelDesc fusion_desc(const std::string& body_text);

std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f);

// Calls fn on the ranges [bounds[i], bounds[i+1]), each on its own thread (one
// range runs inline).
void run_ranges(lmc_kernel_fn fn, const std::vector<void*>& args, const int64_t* syms,
                const std::vector<int64_t>& bounds);
// [0, items) in `threads` parts; the cut is deliberately off any vector boundary.
void run_split(lmc_kernel_fn fn, const std::vector<void*>& args, const int64_t* syms, int64_t items, int threads);

// One descriptor compiled and loaded on its own, with its work-item count.
struct LoadedKernel {
  std::unique_ptr<codegen::KernelLibrary> lib;
  lmc_kernel_fn fn = nullptr;
  codegen::KernelInfo info;
};
LoadedKernel load_kernel(const codegen::KernelDesc& d);
// The same for `target`, with AMX tiles run through LLVM's scalarization when `scalar_tiles`
// (codegen/llvm/scalar_tiles.h).
LoadedKernel load_kernel(const codegen::KernelDesc& d, const codegen::TargetSpec& target, bool scalar_tiles);
// Runs `body` on a thread whose stack, and the stack of every thread started after it, holds
// 256 MiB: a kernel compiled with scalar tiles keeps every value of LLVM's unoptimized
// scalarization in its frame (about 13 MiB for an attention kernel), past a thread's 8.
void on_large_stacks(const std::function<void()>& body);
// This CPU's target with the bf16 tile GEMM's features (AMX-TILE, AMX-BF16), and without the
// int8 tiles, which a kernel with the bf16 tiles leaves out anyway.
codegen::TargetSpec host_with_bf16_tiles();
// `d` with its linear or attention (a fusion's anchor) asking for prefill kernel `k`
// (attribute `prefill`: codegen/prefill_choice.h).
codegen::KernelDesc asking_prefill(codegen::KernelDesc d, ir::PrefillKernel k);
// The message of the lmc::Error adding `d` to a compiler throws, or "" if it is accepted.
std::string add_error(const codegen::KernelDesc& d);
// For EXPECT_PRED2(contains, add_error(d), "..."), which prints the message on failure.
// A whole text file (a dump), "" when it cannot be read.
std::string read_text(const std::string& path);

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
// Runs all of the kernel's work items (KernelInfo::items) split across `threads`.
void run_kernel(const LoadedKernel& k, const std::vector<void*>& args, const int64_t* syms, int threads);

// "" when every |got - want| <= atol + rtol * |want|; else the first mismatches.
std::string mismatches(const std::vector<float>& got, const std::vector<double>& want, double rtol, double atol);

}  // namespace lmc::test
