// llama.cpp's escapes in a prompt (tools/lmc/flags/prompt_escapes.h): the six simple ones, \xHH,
// and every other backslash left as written.
#include <gtest/gtest.h>

#include "tools/lmc/flags/prompt_escapes.h"

namespace lmc::tools {
namespace {

TEST(PromptEscapes, TheSimpleOnesAndHexBytes) {
  EXPECT_EQ("a\nb\tc\rd'e\"f\\g", process_escapes(R"(a\nb\tc\rd\'e\"f\\g)"));
  EXPECT_EQ("AB", process_escapes(R"(\x41\x42)"));
  EXPECT_EQ(std::string("\xff", 1), process_escapes(R"(\xFF)"));
}

TEST(PromptEscapes, OtherBackslashesStay) {
  EXPECT_EQ(R"(C:\dir\q)", process_escapes(R"(C:\dir\q)"));
  EXPECT_EQ(R"(\x4)", process_escapes(R"(\x4)"));    // too short for a byte
  EXPECT_EQ(R"(\xzz)", process_escapes(R"(\xzz)"));  // not hex
  EXPECT_EQ("end\\", process_escapes("end\\"));      // a last lone backslash
  EXPECT_EQ("\\\n", process_escapes(R"(\\\n)"));     // an escaped backslash, then \n
}

}  // namespace
}  // namespace lmc::tools
