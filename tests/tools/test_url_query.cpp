// A query string's values, decoded as browsers encode them.
#include <gtest/gtest.h>

#include "tools/serve/http/url_query.h"

namespace lmc::tools {
namespace {

TEST(UrlQuery, FindsAndDecodesAValue) {
  EXPECT_EQ(query_value("url=http%3A%2F%2Fa%2Fb%3Fc%3D1&x=2", "url"), "http://a/b?c=1");
  EXPECT_EQ(query_value("a=1&b=two+words&b=again", "b"), "two words");
  EXPECT_EQ(query_value("flag&b=", "flag"), "");
  EXPECT_EQ(query_value("b=", "b"), "");
  EXPECT_EQ(query_value("%75rl=x", "url"), "x");
  EXPECT_EQ(query_value("url=%2f%2F", "url"), "//");
}

TEST(UrlQuery, AbsentOrBroken) {
  EXPECT_EQ(query_value("", "url"), std::nullopt);
  EXPECT_EQ(query_value("urls=1&u=2", "url"), std::nullopt);
  EXPECT_EQ(query_value("url=%2", "url"), std::nullopt);
  EXPECT_EQ(query_value("url=%", "url"), std::nullopt);
  EXPECT_EQ(query_value("url=%zz", "url"), std::nullopt);
}

}  // namespace
}  // namespace lmc::tools
