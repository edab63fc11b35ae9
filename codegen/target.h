// Which x86-64 CPU the kernels are compiled for. The baseline (AVX2 + FMA + F16C,
// a Haswell) runs on every machine we support; `native` opts into the host's wider
// ISA; an explicit mcpu/mattr overrides both. The resolved spec is recorded in the
// artifact manifest, and a loader checks it against the host before running code. AMX
// counts as the host's only while this process holds the tile state
// (support/tile_state.h): a native target leaves it out otherwise, and keeps all of it
// (int8 and bf16 tiles) where granted; a kernel's `prefill` attribute picks among them.
//
// What needs LLVM's knowledge of CPUs (resolving a name, implied features, the host's
// features) is answered by the code generator module (codegen/codegen_module.h).
#pragma once
#include <string>
#include <vector>

namespace lmc::codegen {

struct TargetOptions {
  bool native = false;   // host CPU name and features
  std::string mcpu;      // replaces the CPU (and drops the baseline's explicit features)
  std::string mattr;     // "+feat,-feat,...", applied after the CPU's own features
};

struct TargetSpec {
  std::string cpu;
  std::string features;  // comma-separated "+name"/"-name" list, possibly empty
  std::string str() const;  // "cpu=x86-64-v3 features=+avx,+avx2,+fma,+f16c"
  bool operator==(const TargetSpec&) const = default;
};

// Throws lmc::Error when mcpu or a feature name is unknown to LLVM.
TargetSpec resolve_target(const TargetOptions& opts);
TargetSpec baseline_target();

// "+a,-b" -> {"+a", "-b"}; "" -> {}.
std::vector<std::string> split_features(const std::string& list);
// The inverse: names joined with commas.
std::string join_features(const std::vector<std::string>& names);

// The ISA features the spec's code may use, every implied one spelled out ("avx2" brings
// "avx", "sse4.2", ...): what an artifact records, so a run can check them against the
// host without LLVM (runtime/host_isa.h).
std::vector<std::string> isa_features(const TargetSpec& spec);

// Features the spec's code may use that this host lacks (empty: safe to run).
std::vector<std::string> missing_host_features(const TargetSpec& spec);
// " (AMX tiles: why they are off)" when `missing` names an AMX feature, else "": what a
// message about missing features adds, since the tiles need the process's grant too.
std::string tiles_off_reason(const std::vector<std::string>& missing);
// Throws lmc::Error naming the missing features unless this CPU can run the spec's code.
void require_host_features(const TargetSpec& spec);

}  // namespace lmc::codegen
