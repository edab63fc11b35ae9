// The compile's remarks beside the time of the kernels they concern: each remark finds the
// kernel computing its value (a region's body value too) or reading it as a weight, takes
// that kernel's share of the step, and the list is ordered by it; the remarks survive the
// artifact (its "remarks" section) so a run of the artifact can rank them.
#include <gtest/gtest.h>

#include "driver/remarks_section.h"
#include "driver/report/kernel_rows.h"
#include "driver/report/remark_ranking.h"
#include "ir/parser.h"
#include "support/error.h"

namespace lmc::report {
namespace {

const char* kGraph =
    "graph @g(%x: f32[T,64]) {\n"
    "  %w = param {name = \"w\"} : f32[48,64]\n"
    "  %h = fusion %x {\n"
    "  ^(%x: f32[T,64]):\n"
    "    %a = silu %x : f32[T,64]\n"
    "    %h = mul %a, %x : f32[T,64]\n"
    "    yield %h\n"
    "  } : f32[T,64]\n"
    "  %d = linear %h, %w : f32[T,48]\n"
    "  return %d\n"
    "}\n";

TEST(RemarkRanking, EachRemarkTakesItsKernelsShareAndTheListIsOrderedByIt) {
  auto g = ir::parse(kGraph, "g.lir");
  auto kernels = kernel_rows(*g, {});
  ASSERT_EQ(kernels.size(), 2u);
  const std::string fusion = kernels[0].symbol, linear = kernels[1].symbol;
  std::vector<ProfileRow> profile = {{linear, "linear", 4, 3.0, 0.75}, {fusion, "fusion", 4, 1.0, 0.25}};
  using K = passes::RemarkKind;
  std::vector<passes::Remark> remarks = {{"fuse-x", "a", "not fused: because", K::Missed},
                                         {"shape", "g", "d_model 64", K::Analysis},
                                         {"quant-threshold", "w", "[48,64] -> q8_0", K::Passed},
                                         {"fuse-y", "gone", "not fused: removed since", K::Missed},
                                         {"fuse-z", "d", "kept as it is", K::Missed}};
  remarks[1].where = "@g";
  auto ranked = rank_remarks(remarks, kernels, profile);
  ASSERT_EQ(ranked.size(), 5u);
  // The linear's (75 %): the weight it reads, then its own value, in the passes' order.
  EXPECT_EQ(ranked[0].value, "%w");
  EXPECT_EQ(ranked[0].kernel, linear);
  EXPECT_DOUBLE_EQ(ranked[0].share, 0.75);
  EXPECT_EQ(ranked[0].kind, K::Passed);
  EXPECT_EQ(ranked[1].value, "%d");
  EXPECT_EQ(ranked[1].kind, K::Missed);
  // The region's body value (25 %).
  EXPECT_EQ(ranked[2].value, "%a");
  EXPECT_EQ(ranked[2].kernel, fusion);
  EXPECT_DOUBLE_EQ(ranked[2].share, 0.25);
  EXPECT_EQ(ranked[2].kind, K::Missed);
  // No kernel: the graph, and a value the passes removed.
  EXPECT_EQ(ranked[3].value, "@g");
  EXPECT_EQ(ranked[3].kernel, "");
  EXPECT_LT(ranked[3].share, 0);
  EXPECT_EQ(ranked[4].value, "%gone");
}

TEST(RemarkRanking, WithoutAProfileEveryShareIsUnknown) {
  auto g = ir::parse(kGraph, "g.lir");
  auto ranked = rank_remarks({{"p", "d", "m"}}, kernel_rows(*g, {}), {});
  ASSERT_EQ(ranked.size(), 1u);
  EXPECT_FALSE(ranked[0].kernel.empty());
  EXPECT_LT(ranked[0].share, 0);
}

TEST(RemarksSection, RoundTripsAndRejectsWhatIsNotAList) {
  std::vector<passes::Remark> remarks = {
      {"fuse-qkv", "q", "not fused: \"quoted\"\nnext line", passes::RemarkKind::Missed},
      {"quant-threshold", "@g", "x", passes::RemarkKind::Analysis}};
  auto back = driver::decode_remarks(driver::encode_remarks(remarks), "m.lmc:remarks");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].message, remarks[0].message);
  EXPECT_EQ(back[1].where, "@g");
  EXPECT_EQ(back[0].kind, passes::RemarkKind::Missed);
  EXPECT_EQ(back[1].kind, passes::RemarkKind::Analysis);
  EXPECT_THROW(
      driver::decode_remarks(R"([{"pass": "p", "where": "v", "message": "m", "kind": "hot"}])", "m.lmc:remarks"),
      Error);
  EXPECT_THROW(driver::decode_remarks("{}", "m.lmc:remarks"), Error);
  EXPECT_THROW(driver::decode_remarks("[{\"pass\": 1}]", "m.lmc:remarks"), Error);
  EXPECT_THROW(driver::decode_remarks("[nope", "m.lmc:remarks"), Error);
}

}  // namespace
}  // namespace lmc::report
