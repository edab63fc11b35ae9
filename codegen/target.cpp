#include "codegen/target.h"

#include <algorithm>

#include "codegen/codegen_module.h"
#include "support/error.h"
#include "support/tile_state.h"

namespace lmc::codegen {

namespace {

// The psABI level x86-64-v3 (AVX2, FMA, F16C, BMI1/2, LZCNT, MOVBE): a CPU name such as
// "haswell" would also imply system features (invpcid) that virtual machines often hide,
// making the host check refuse kernels that never use them.
constexpr const char* kBaselineCpu = "x86-64-v3";
constexpr const char* kBaselineFeatures = "+avx,+avx2,+fma,+f16c";

// An AMX feature's instructions fault until the process holds the tile state, which cpuid
// and XCR0 (all LLVM reads of the host) do not tell (support/tile_state.h). The process asks
// here, in lmc itself: the code generator module keeps its own copy of support/.
bool tile_feature(const std::string& name) { return name.rfind("amx-", 0) == 0; }

// The spec's "+amx-..." turned "-amx-...".
std::string without_tiles(const std::string& features) {
  std::vector<std::string> names = split_features(features);
  for (auto& f : names)
    if (f[0] == '+' && tile_feature(f.substr(1))) f[0] = '-';
  return join_features(names);
}

}  // namespace

std::string TargetSpec::str() const { return "cpu=" + cpu + " features=" + features; }

TargetSpec baseline_target() { return {kBaselineCpu, kBaselineFeatures}; }

std::vector<std::string> split_features(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (comma > start) out.push_back(list.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

std::string join_features(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

// A native target keeps the host's AMX features where the process holds the tile state, all
// of them: which tiles a kernel takes is its op's `prefill` attribute (codegen/prefill_choice.h).
TargetSpec resolve_target(const TargetOptions& opts) {
  if (!opts.native || tile_state().granted) return codegen_module().resolve_target(opts);
  // The host's own AMX features leave; an --mattr naming them (code for another machine) stays.
  TargetSpec host = codegen_module().resolve_target({true, opts.mcpu, ""});
  host.features = without_tiles(host.features);
  if (opts.mattr.empty()) return host;
  return codegen_module().resolve_target({false, host.cpu, join_features({host.features, opts.mattr})});
}

std::vector<std::string> isa_features(const TargetSpec& spec) { return codegen_module().isa_features(spec); }

std::vector<std::string> missing_host_features(const TargetSpec& spec) {
  std::vector<std::string> missing = codegen_module().missing_host_features(spec);
  if (tile_state().granted) return missing;
  for (const auto& f : isa_features(spec))
    if (tile_feature(f) && std::find(missing.begin(), missing.end(), f) == missing.end()) missing.push_back(f);
  return missing;
}

std::string tiles_off_reason(const std::vector<std::string>& missing) {
  if (std::none_of(missing.begin(), missing.end(), tile_feature)) return "";
  return " (AMX tiles: " + tile_state().why_off + ")";
}

void require_host_features(const TargetSpec& spec) {
  const std::vector<std::string> missing = missing_host_features(spec);
  if (missing.empty()) return;
  std::string names;
  for (const auto& f : missing) names += (names.empty() ? "" : ", ") + f;
  throw Error("codegen: error: this CPU lacks features the kernels were compiled for (" + names + ")" +
              tiles_off_reason(missing) + "; target was " + spec.str());
}

}  // namespace lmc::codegen
