// Pipeline text and the pass registry: names to passes, options, named pipelines and
// repeat<N>(...), typos refused with their column and the closest name.
#include <gtest/gtest.h>

#include <algorithm>

#include "passes/pass_manager.h"
#include "passes/pass_registry.h"
#include "passes/pipeline.h"
#include "support/error.h"

namespace lmc::passes {
namespace {

using Names = std::vector<std::string>;

Names names(const std::string& text) {
  Names out;
  for (const auto& e : parse_pipeline(text)) out.push_back(e.pass);
  return out;
}

std::string error_of(const std::string& text) {
  try {
    parse_pipeline(text);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(Pipeline, ParsesCommaSeparatedNames) {
  EXPECT_EQ(names("fuse-qkv,dce"), (Names{"fuse-qkv", "dce"}));
  EXPECT_EQ(names("dce,dce"), (Names{"dce", "dce"}));  // a pass may run twice
  EXPECT_EQ(names(" fuse-qkv , dce "), (Names{"fuse-qkv", "dce"}));
}

TEST(Pipeline, NoneAndEmptyRunNothing) {
  EXPECT_TRUE(parse_pipeline("none").empty());
  EXPECT_TRUE(parse_pipeline("").empty());
  EXPECT_EQ(names("none,dce,none"), (Names{"dce"}));
}

TEST(Pipeline, DefaultIsTheOptimisationsThenCleanups) {
  EXPECT_EQ(names("default"), (Names{"shard", "kv-cache-type", "fuse-qkv", "fuse-gate-up", "quant-threshold",
                                     "weight-panels", "tune-prefill", "fuse-down-act", "fuse-norm-linear",
                                     "fuse-qk-rope", "fuse-residual", "fuse-elementwise", "fold-weights", "dce"}));
  EXPECT_EQ(parse_pipeline(default_pipeline()), parse_pipeline("default"));
  // A named pipeline nests anywhere an element may stand.
  auto nested = names("dce,default,dce");
  EXPECT_EQ(nested.size(), 16u);
  EXPECT_EQ(nested.front(), "dce");
  EXPECT_EQ(nested[1], "shard");
}

TEST(Pipeline, RepeatNestsAPipeline) {
  EXPECT_EQ(names("repeat<2>(fuse-qkv,dce),fold-weights"),
            (Names{"fuse-qkv", "dce", "fuse-qkv", "dce", "fold-weights"}));
  EXPECT_EQ(names("repeat<2>(repeat<2>(dce))").size(), 4u);
  EXPECT_EQ(error_of("repeat<0>(dce)"), "--passes: column 8: repeat<N> expects N from 1 to 100, got '0'");
  EXPECT_EQ(error_of("repeat<x>(dce)"), "--passes: column 8: repeat<N> expects N from 1 to 100, got 'x'");
  EXPECT_EQ(error_of("repeat<2>(dce"), "--passes: column 14: expected ')'");
}

TEST(Pipeline, OptionsAreCheckedAgainstThePass) {
  auto p = parse_pipeline("quant-threshold{min-dim=512, mode=measured},dce");
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].options, (OptionValues{{"min-dim", "512"}, {"mode", "measured"}}));
  EXPECT_EQ(error_of("quant-threshold{min-dmi=512}"),
            "--passes: column 17: pass 'quant-threshold' has no option 'min-dmi' (did you mean 'min-dim'?)");
  EXPECT_EQ(error_of("quant-threshold{mode=fast}"),
            "--passes: column 22: quant-threshold{mode}: expects one of rule|measured, got 'fast'");
  EXPECT_EQ(error_of("quant-threshold{min-dim=-3}"),
            "--passes: column 25: quant-threshold{min-dim}: expects an integer in [1, 1099511627776], got '-3'");
  EXPECT_EQ(error_of("dce{x=1}"), "--passes: column 5: pass 'dce' takes no options");
  EXPECT_EQ(error_of("quant-threshold{mode=rule,mode=rule}"), "--passes: column 27: option 'mode' is given twice");
  EXPECT_EQ(error_of("quant-threshold{mode=rule"), "--passes: column 26: expected '}'");
}

TEST(Pipeline, TyposNameTheirColumnAndTheClosestName) {
  EXPECT_EQ(error_of("fuse-qkv,fuse-qvk"), "--passes: column 10: unknown pass 'fuse-qvk' (did you mean 'fuse-qkv'?)");
  EXPECT_EQ(error_of("defualt"), "--passes: column 1: unknown pass 'defualt' (did you mean 'default'?)");
  EXPECT_EQ(error_of("fuse-qkv,,dce"), "--passes: column 10: expected a pass name");
  EXPECT_EQ(error_of("dce;fuse-qkv"), "--passes: column 4: unexpected ';'");
  EXPECT_NE(error_of("Fuse-QKV").find("unknown pass 'Fuse-QKV'"), std::string::npos);  // names are exact
  EXPECT_NE(error_of("everything").find("(known: shard, kv-cache-type, fuse-qkv, "), std::string::npos);
}

TEST(Pipeline, PlacesAnElementNextToAPassAlreadyThere) {
  Names d = names("default");
  Names after = d, before = d;
  after.insert(std::find(after.begin(), after.end(), "fuse-qkv") + 1, "fuse-elementwise");
  before.insert(std::find(before.begin(), before.end(), "fold-weights"), {"dce", "dce"});
  EXPECT_EQ(names("default,after(fuse-qkv):fuse-elementwise"), after);
  EXPECT_EQ(names("default, before( fold-weights ) : repeat<2>(dce)"), before);
  // Next to the last one so far; options stay with the placed pass.
  EXPECT_EQ(names("dce,fuse-qkv,dce,after(dce):fuse-gate-up"), (Names{"dce", "fuse-qkv", "dce", "fuse-gate-up"}));
  auto p = parse_pipeline("fuse-qkv,dce,before(dce):quant-threshold{min-dim=64}");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[1].pass, "quant-threshold");
  EXPECT_EQ(p[1].options, (OptionValues{{"min-dim", "64"}}));
  EXPECT_EQ(error_of("default,after(fuse-qvk):dce"),
            "--passes: column 15: after(fuse-qvk): no pass 'fuse-qvk' earlier in the pipeline (did you mean "
            "'fuse-qkv'?)");
  EXPECT_EQ(error_of("after(dce):fuse-qkv,dce"),
            "--passes: column 7: after(dce): no pass 'dce' earlier in the pipeline");
  EXPECT_EQ(error_of("default,after(dce)fuse-qkv"), "--passes: column 19: expected ':'");
}

TEST(Pipeline, LeavesOutAPassWithMinus) {
  Names d = names("default"), without = d;
  without.erase(std::find(without.begin(), without.end(), "fuse-qk-rope"));
  EXPECT_EQ(names("default,-fuse-qk-rope"), without);
  EXPECT_EQ(names("default, - fuse-qk-rope"), without);
  // The last one so far; what comes after the minus is kept.
  EXPECT_EQ(names("dce,fuse-qkv,dce,-dce,fuse-gate-up"), (Names{"dce", "fuse-qkv", "fuse-gate-up"}));
  EXPECT_EQ(error_of("default,-fuse-qvk"),
            "--passes: column 10: -fuse-qvk: no pass 'fuse-qvk' earlier in the pipeline (did you mean 'fuse-qkv'?)");
  EXPECT_EQ(error_of("-dce,dce"), "--passes: column 2: -dce: no pass 'dce' earlier in the pipeline");
  EXPECT_EQ(error_of("dce,-"), "--passes: column 6: expected a pass name after '-'");
}

TEST(Pipeline, PrintsCanonicalTextThatParsesBack) {
  for (const char* text : {"default", "none", "repeat<2>(dce),quant-threshold{mode=measured,min-dim=64}",
                           " fuse-qkv , quant-threshold{ min-dim = 7 } "}) {
    auto p = parse_pipeline(text);
    EXPECT_EQ(parse_pipeline(print_pipeline(p)), p) << text;
  }
  EXPECT_EQ(print_pipeline(parse_pipeline("repeat<2>(dce),quant-threshold{mode=measured,min-dim=64}")),
            "dce,dce,quant-threshold{min-dim=64,mode=measured}");
  EXPECT_EQ(print_pipeline({}), "none");
}

TEST(Pipeline, FlagsFillOptionsTheTextLeavesOut) {
  PassManager pm({});
  pm.add_pipeline("quant-threshold,quant-threshold{mode=rule,min-dim=9},dce", {{"quant-min-dim", "128"}});
  // The manager records what will run: the flag's value where the text gave none, the
  // text's where it did; the default (mode=rule) is not repeated.
  EXPECT_EQ(pm.pipeline_text(), "quant-threshold{min-dim=128},quant-threshold{min-dim=9},dce");
  EXPECT_THROW(pm.add_pipeline("quant-threshold", {{"quant-mode", "fast"}}), Error);
  EXPECT_THROW(check_option_flags({{"quant-min-dmi", "3"}}, "m.yaml: passes"), Error);
  try {
    check_option_flags({{"quant-min-dmi", "3"}}, "m.yaml: passes");
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "m.yaml: passes: unknown pass option 'quant-min-dmi' (did you mean 'quant-min-dim'?)");
  }
}

TEST(Pipeline, MandatorySuffixIsAddedOnce) {
  PassManager a({});
  a.add_pipeline("default");
  a.ensure_suffix(mandatory_pipeline());
  EXPECT_EQ(names(a.pipeline_text()), names("default"));
  PassManager b({});
  b.add_pipeline("fuse-qkv");
  b.ensure_suffix(mandatory_pipeline());
  EXPECT_EQ(b.pipeline_text(), "fuse-qkv,fold-weights,dce");
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
  EXPECT_EQ(names("dce,test-marker"), (Names{"dce", "test-marker"}));
  PassManager pm({});
  pm.add_pipeline("test-marker");
  ir::Graph g;
  PassContext ctx;
  pm.run(g, ctx);
  ASSERT_EQ(pm.records().size(), 1u);
  EXPECT_EQ(pm.records()[0].name, "test-marker");
}

// An artifact's manifest may name a plugin's pass that this process has not loaded: running
// the artifact needs none of its passes, so the recorded pipeline keeps it as written.
TEST(Pipeline, ARecordedPipelineKeepsPassesThisProcessDoesNotKnow) {
  Pipeline p =
      parse_recorded_pipeline("fuse-sibling-linears{max=3,stem=qk},shard{ranks=2,rank=1},dce", "g.lmc:manifest");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0], (PipelineEntry{"fuse-sibling-linears", {{"max", "3"}, {"stem", "qk"}}}));
  EXPECT_EQ(p[1], (PipelineEntry{"shard", {{"rank", "1"}, {"ranks", "2"}}}));
  // What it knows is checked as ever, and the text must still be a pipeline.
  EXPECT_THROW(parse_recorded_pipeline("shard{ranks=two}", "g.lmc:manifest"), Error);
  EXPECT_THROW(parse_recorded_pipeline("my-pass{a=1,a=2}", "g.lmc:manifest"), Error);
  EXPECT_THROW(parse_recorded_pipeline("my-pass{", "g.lmc:manifest"), Error);
  EXPECT_NE(error_of("fuse-sibling-linears").find("unknown pass 'fuse-sibling-linears'"), std::string::npos);
}

}  // namespace
}  // namespace lmc::passes
