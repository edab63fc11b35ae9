// A pass may declare a float option: pipeline text and its flag set it, values are
// checked finite and in the declared range, the pass reads it with float_option, and the
// recorded pipeline repeats a value that differs from the default.
#include <gtest/gtest.h>

#include "passes/pass_manager.h"
#include "passes/pass_registry.h"
#include "passes/pipeline.h"
#include "support/error.h"

namespace lmc::passes {
namespace {

// Records the ratio it was given, so a test sees what the pass read.
struct RatioPass : Pass {
  static inline double seen = -1;
  std::string name() const override { return "test-ratio"; }
  std::string summary() const override { return "reads a float option"; }
  std::vector<PassOption> options() const override {
    PassOption ratio;
    ratio.name = "ratio";
    ratio.kind = OptionKind::Float;
    ratio.help = "a fraction";
    ratio.default_value = "0.5";
    ratio.low = 0;
    ratio.high = 1;
    return {ratio};
  }
  PassResult run(ir::Graph&, PassContext&) override {
    seen = float_option("ratio", -1);
    return {};
  }
};

class FloatOption : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!PassRegistry::instance().create("test-ratio"))
      PassRegistry::instance().add("test-ratio", [] { return std::make_unique<RatioPass>(); });
  }

  // What the pass reads when `text` runs with `flags`, and the pipeline recorded.
  static std::pair<double, std::string> run(const std::string& text, const OptionValues& flags = {}) {
    PassManager pm({});
    pm.add_pipeline(text, flags);
    ir::Graph g;
    PassContext ctx;
    pm.run(g, ctx);
    return {RatioPass::seen, pm.pipeline_text()};
  }

  static std::string error_of(const std::string& text) {
    try {
      parse_pipeline(text);
    } catch (const Error& e) {
      return e.what();
    }
    return "no error";
  }
};

TEST_F(FloatOption, PipelineTextSetsIt) {
  EXPECT_EQ(run("test-ratio{ratio=0.25}"), std::make_pair(0.25, std::string("test-ratio{ratio=0.25}")));
  EXPECT_EQ(run("test-ratio{ratio=1e-3}").first, 1e-3);
}

TEST_F(FloatOption, FlagSetsItWhereTheTextDoesNot) {
  EXPECT_EQ(run("test-ratio", {{"test-ratio-ratio", "0.75"}}).first, 0.75);
  EXPECT_EQ(run("test-ratio{ratio=0.125}", {{"test-ratio-ratio", "0.75"}}).first, 0.125);
  EXPECT_THROW(run("test-ratio", {{"test-ratio-ratio", "x"}}), Error);
}

TEST_F(FloatOption, DefaultAppliesAndIsNotRecorded) {
  EXPECT_EQ(run("test-ratio"), std::make_pair(0.5, std::string("test-ratio")));
}

TEST_F(FloatOption, ValuesMustBeFiniteNumbersInRange) {
  EXPECT_EQ(error_of("test-ratio{ratio=2}"),
            "--passes: column 18: test-ratio{ratio}: expects a finite number in [0, 1], got '2'");
  for (const char* bad : {"nan", "inf", "0.5x", "", "-0.1", ".5.5"})
    EXPECT_NE(error_of(std::string("test-ratio{ratio=") + bad + "}"), "no error") << bad;
}

TEST_F(FloatOption, HelpSpellsItsSyntax) {
  EXPECT_EQ(option_value_syntax(RatioPass().options()[0]), "float");
  EXPECT_EQ(option_flag(RatioPass().options()[0], "test-ratio"), "test-ratio-ratio");
}

}  // namespace
}  // namespace lmc::passes
