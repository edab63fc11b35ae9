// The report page: every section present, every text from the compile escaped, nothing
// fetched from elsewhere.
#include "driver/report/html_report.h"

#include <gtest/gtest.h>

namespace lmc::report {
namespace {

CompileReport sample() {
  CompileReport r;
  r.title = "m<1>";
  r.pipeline = "fuse-x,dce";
  PassStep p;
  p.index = 1;
  p.name = "fuse-x";
  p.changed = true;
  p.stats = {"fused 2 <pairs>"};
  p.diff = "--- before fuse-x\n+++ after fuse-x\n@@ -1,1 +1,1 @@\n-  %a = add %x, %y\n+  %a = fusion %x & %y\n";
  p.remarks = {{"fuse-x", "%a", "%a = fusion %x, %y", "kept \"as is\""}};
  p.pictures = {{"after (layer 0)", "<svg/>"}};
  r.passes.push_back(p);
  r.passes.push_back({2, "dce", false, 0.001, {}, "", {}, {}});
  r.kernels.push_back({"k_add", "add", "%a", 3, "f32[T,4] -> f32[T,4]", "q8_0x16", 120,
                       "k_add:\n  vaddps %ymm0, %ymm1, %ymm2\n", "define void @k_add(ptr %p) {\n  ret void\n}\n"});
  r.profile.push_back({"k_add", "add", 10, 1.5, 0.25});
  r.profile_note = "4 decode steps";
  r.ranked_remarks = {{"fuse-x", "%a", "not fused: <why>", "k_add", 0.25, passes::RemarkKind::Missed},
                      {"dce", "@g", "removed 1", "", -1, passes::RemarkKind::Passed}};
  return r;
}

TEST(HtmlReport, ShowsEverySection) {
  std::string html = html_report(sample());
  EXPECT_NE(html.find("<title>lmc report: m&lt;1&gt;</title>"), std::string::npos);
  EXPECT_NE(html.find("<a href=\"#pass-1\">fuse-x</a></td><td>yes"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"unchanged\"><td class=\"num\">2</td>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"del\">-  %a = add %x, %y</span>"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"add\">+  %a = fusion %x &amp; %y</span>"
                      "<span class=\"remark-inline\">    ^ remark: kept &quot;as is&quot;</span>"),
            std::string::npos);
  // Not under the removed line that defined %a before the pass:
  EXPECT_NE(html.find("<span class=\"del\">-  %a = add %x, %y</span><span class=\"add\">"), std::string::npos);
  EXPECT_NE(html.find("<span class=\"remark-value\">%a</span> kept &quot;as is&quot;"), std::string::npos);
  EXPECT_NE(html.find("<code class=\"remark-op\">%a = fusion %x, %y</code>"), std::string::npos);
  EXPECT_NE(html.find("src=\"data:image/svg+xml;base64,PHN2Zy8+\""), std::string::npos);
  EXPECT_NE(html.find("fused 2 &lt;pairs&gt;"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">120</td>"), std::string::npos);
  EXPECT_NE(html.find("25.0 %"), std::string::npos);
}

TEST(HtmlReport, FetchesNothingAndRunsNothing) {
  std::string html = html_report(sample());
  EXPECT_EQ(html.find("http"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("m<1>"), std::string::npos);
}

TEST(HtmlReport, EachKernelsCodeIsFoldedUnderItsRow) {
  std::string html = html_report(sample());
  size_t row = html.find("<tr class=\"kernel\" id=\"kernel-k_add\">");
  size_t assembly = html.find(
      "<details class=\"asm\"><summary>assembly (2 lines)</summary><pre class=\"listing\">"
      "k_add:\n  vaddps %ymm0, %ymm1, %ymm2\n</pre></details>");
  size_t ir = html.find(
      "<details class=\"llvm-ir\"><summary>LLVM IR (3 lines)</summary>"
      "<pre class=\"listing\">define void @k_add(ptr %p) {\n  ret void\n}\n</pre></details>");
  ASSERT_NE(row, std::string::npos);
  ASSERT_NE(assembly, std::string::npos);
  ASSERT_NE(ir, std::string::npos);
  EXPECT_LT(row, assembly);
  EXPECT_LT(assembly, ir);
}

TEST(HtmlReport, AKernelWithoutCodeHasNoFoldedRow) {
  CompileReport r;
  r.kernels.push_back({"k", "add", "%a", 1, "", "", -1, "", ""});
  EXPECT_EQ(html_report(r).find("<tr class=\"code\">"), std::string::npos);
}

TEST(HtmlReport, CutsLongListings) {
  CompileReport r;
  KernelRow k{"k", "add", "%a", 1, "", "", -1, "", ""};
  for (size_t i = 0; i < kMaxListingLines + 7; ++i) k.assembly += "  nop\n";
  r.kernels.push_back(k);
  EXPECT_NE(html_report(r).find("7 more lines left out"), std::string::npos);
}

TEST(HtmlReport, RemarksByTimeLinkTheirKernelAndFilterWithoutScript) {
  std::string html = html_report(sample());
  EXPECT_NE(html.find("<a href=\"#remarks\">remarks by time</a>"), std::string::npos);
  EXPECT_NE(html.find("<tr class=\"missed\"><td class=\"num\">25.0 %</td><td><a href=\"#kernel-k_add\"><code>k_add"
                      "</code></a></td><td>fuse-x</td><td><code>%a</code></td><td>not fused: &lt;why&gt;</td></tr>"),
            std::string::npos);
  EXPECT_NE(html.find("<tr class=\"passed\"><td class=\"num\">—</td><td></td><td>dce</td>"), std::string::npos);
  EXPECT_NE(html.find("<input type=\"radio\" name=\"remark-kind\" id=\"show-missed\">"), std::string::npos);
  EXPECT_NE(html.find("#show-missed:checked ~ table tr:is(.passed, .analysis)"), std::string::npos);
  EXPECT_EQ(html_report(CompileReport{}).find("id=\"remarks\""), std::string::npos);
}

TEST(HtmlReport, CutsLongDiffs) {
  CompileReport r;
  PassStep p;
  p.index = 1;
  p.name = "big";
  p.changed = true;
  for (size_t i = 0; i < kMaxDiffLines + 5; ++i) p.diff += "+x\n";
  r.passes.push_back(p);
  EXPECT_NE(html_report(r).find("5 more lines of the diff left out"), std::string::npos);
}

}  // namespace
}  // namespace lmc::report
