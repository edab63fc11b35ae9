// Text put into a report page cannot open a tag, end an attribute or break the page's
// UTF-8; pictures become data: URIs.
#include "driver/report/html_text.h"

#include <gtest/gtest.h>

namespace lmc::report {
namespace {

TEST(HtmlEscape, MarkupCharactersBecomeEntities) {
  EXPECT_EQ(html_escape("<script>a & \"b\" 'c'</script>"),
            "&lt;script&gt;a &amp; &quot;b&quot; &#39;c&#39;&lt;/script&gt;");
}

TEST(HtmlEscape, KeepsUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(html_escape("π → x"), "π → x");
  EXPECT_EQ(html_escape(std::string("a\xff") + "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(html_escape("\xE2\x86"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // a sequence cut short
}

TEST(SvgDataUri, Base64WithPadding) {
  EXPECT_EQ(svg_data_uri("abc"), "data:image/svg+xml;base64,YWJj");
  EXPECT_EQ(svg_data_uri("ab"), "data:image/svg+xml;base64,YWI=");
  EXPECT_EQ(svg_data_uri("a"), "data:image/svg+xml;base64,YQ==");
  EXPECT_EQ(svg_data_uri("<svg/>"), "data:image/svg+xml;base64,PHN2Zy8+");
}

}  // namespace
}  // namespace lmc::report
