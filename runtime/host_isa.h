// Which x86 instruction-set extensions this CPU and its OS offer, read with cpuid and
// xgetbv: what a run checks an artifact's recorded ISA features (the manifest's
// target.isa, LLVM's feature names) against without loading LLVM.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "codegen/target.h"

namespace lmc::runtime {

// The names in `isa` this host lacks (empty: the code may run here), or std::nullopt
// when a name is not one this table knows (ask LLVM then:
// codegen::missing_host_features).
std::optional<std::vector<std::string>> missing_isa(const std::vector<std::string>& isa);

// This CPU as a native target sees it: vendor, family/model/stepping and every feature of
// the table it has. Two hosts with the same identity get the same native code.
std::string host_cpu_identity();

// The features code compiled for `target` may use that this host lacks. `isa` is the
// artifact's recorded list, joined by the "+name" features of the spec; when it is empty
// or names a feature the table does not know, LLVM answers from the target instead.
std::vector<std::string> missing_target_features(const codegen::TargetSpec& target,
                                                 const std::vector<std::string>& isa);

}  // namespace lmc::runtime
