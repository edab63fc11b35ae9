// The host's ISA features read with cpuid (runtime/host_isa.h) agree with LLVM's
// reading of the same host for every feature name both know.
#include <gtest/gtest.h>

#include "codegen/target.h"
#include "runtime/host_isa.h"

namespace lmc::runtime {
namespace {

TEST(HostIsa, AgreesWithLlvmOnThisHost) {
  auto native = codegen::resolve_target({true, "", ""});
  int known = 0;
  for (const auto& f : codegen::split_features(native.features)) {
    std::string name = f.substr(1);
    auto missing = missing_isa({name});
    if (!missing) continue;
    ++known;
    EXPECT_EQ(missing->empty(), f[0] == '+') << name << ": LLVM says " << f[0];
  }
  EXPECT_GT(known, 20);
}

TEST(HostIsa, TheBaselineIsKnownWithoutLlvm) {
  auto isa = codegen::isa_features(codegen::baseline_target());
  EXPECT_NE(std::find(isa.begin(), isa.end(), "avx2"), isa.end());
  EXPECT_NE(std::find(isa.begin(), isa.end(), "sse4.2"), isa.end()) << "implied features are spelled out";
  auto missing = missing_isa(isa);
  ASSERT_TRUE(missing.has_value()) << "a baseline feature is missing from the cpuid table";
  EXPECT_TRUE(missing->empty());
}

TEST(HostIsa, UnknownNamesAskLlvm) {
  EXPECT_FALSE(missing_isa({"avx2", "no-such-feature"}).has_value());
  auto missing = missing_target_features(codegen::baseline_target(), {"no-such-feature"});
  EXPECT_TRUE(missing.empty());
}

}  // namespace
}  // namespace lmc::runtime
