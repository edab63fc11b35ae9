#include "codegen/target.h"

#include "codegen/codegen_module.h"
#include "support/error.h"

namespace lmc::codegen {

namespace {

// The psABI level x86-64-v3 (AVX2, FMA, F16C, BMI1/2, LZCNT, MOVBE): a CPU name such as
// "haswell" would also imply system features (invpcid) that virtual machines often hide,
// making the host check refuse kernels that never use them.
constexpr const char* kBaselineCpu = "x86-64-v3";
constexpr const char* kBaselineFeatures = "+avx,+avx2,+fma,+f16c";

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

TargetSpec resolve_target(const TargetOptions& opts) { return codegen_module().resolve_target(opts); }

std::vector<std::string> isa_features(const TargetSpec& spec) { return codegen_module().isa_features(spec); }

std::vector<std::string> missing_host_features(const TargetSpec& spec) {
  return codegen_module().missing_host_features(spec);
}

void require_host_features(const TargetSpec& spec) {
  std::string missing;
  for (const auto& f : missing_host_features(spec)) missing += (missing.empty() ? "" : ", ") + f;
  if (!missing.empty())
    throw Error("codegen: error: this CPU lacks features the kernels were compiled for (" + missing + "); target was " +
                spec.str());
}

}  // namespace lmc::codegen
