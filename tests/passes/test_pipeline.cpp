// Pipeline strings and the pass registry: names to passes, "default" and "none",
// unknown names refused with the list of known ones.
#include <gtest/gtest.h>

#include "ir/error.h"
#include "passes/pass_manager.h"
#include "passes/pass_registry.h"

namespace lmc::passes {
namespace {

using Names = std::vector<std::string>;

TEST(Pipeline, ParsesCommaSeparatedNames) {
  EXPECT_EQ(parse_pipeline("fuse-qkv,dce"), (Names{"fuse-qkv", "dce"}));
  EXPECT_EQ(parse_pipeline("dce,dce"), (Names{"dce", "dce"}));  // a pass may run twice
}

TEST(Pipeline, NoneAndEmptyRunNothing) {
  EXPECT_TRUE(parse_pipeline("none").empty());
  EXPECT_TRUE(parse_pipeline("").empty());
}

TEST(Pipeline, DefaultIsTheOptimisationsThenCleanups) {
  EXPECT_EQ(parse_pipeline("default"),
            (Names{"fuse-qkv", "fuse-gate-up", "quant-threshold", "fuse-down-act", "fuse-norm-linear", "fuse-residual",
                   "fuse-elementwise", "fold-weights", "dce"}));
  EXPECT_EQ(parse_pipeline(default_pipeline()), parse_pipeline("default"));
}

TEST(Pipeline, UnknownPassListsTheKnownOnes) {
  try {
    parse_pipeline("fuse-qkv,fuse-qvk");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "--passes: unknown pass 'fuse-qvk' (known: fuse-qkv, fuse-gate-up, quant-threshold, fuse-down-act, "
                 "fuse-norm-linear, fuse-residual, fuse-elementwise, fold-weights, dce)");
  }
  EXPECT_THROW(parse_pipeline("fuse-qkv,,dce"), Error);  // an empty name is not a pass
  EXPECT_THROW(parse_pipeline("Fuse-QKV"), Error);       // names are exact
}

TEST(Registry, CreatesEveryBuiltinPassUnderItsName) {
  auto& r = PassRegistry::instance();
  for (const auto& name : r.names()) {
    auto p = r.create(name);
    ASSERT_NE(p, nullptr) << name;
    EXPECT_EQ(p->name(), name);
    EXPECT_FALSE(p->summary().empty()) << name;
  }
  EXPECT_EQ(r.create("no-such-pass"), nullptr);
}

TEST(Registry, RefusesADuplicateName) {
  EXPECT_THROW(PassRegistry::instance().add("dce", [] { return PassRegistry::instance().create("dce"); }), Error);
}

TEST(Registry, AddedPassesJoinPipelines) {
  struct Marker : Pass {
    std::string name() const override { return "test-marker"; }
    std::string summary() const override { return "a test pass"; }
    PassResult run(ir::Graph&, PassContext&) override { return {}; }
  };
  PassRegistry::instance().add("test-marker", [] { return std::make_unique<Marker>(); });
  EXPECT_EQ(parse_pipeline("dce,test-marker"), (Names{"dce", "test-marker"}));
  PassManager pm({});
  pm.add_pipeline("test-marker");
  ir::Graph g;
  PassContext ctx;
  pm.run(g, ctx);
  ASSERT_EQ(pm.records().size(), 1u);
  EXPECT_EQ(pm.records()[0].name, "test-marker");
}

}  // namespace
}  // namespace lmc::passes
