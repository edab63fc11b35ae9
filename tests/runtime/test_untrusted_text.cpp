// Names from files in messages (support/untrusted_text.h): quoted whole with their NUL bytes
// escaped, so that the reason after them survives the message's C string; printed through
// terminal_safe, which escapes controls but not the escapes' backslashes again.
#include "support/untrusted_text.h"

#include <gtest/gtest.h>

#include <string>

namespace lmc {
namespace {

using namespace std::string_literals;

TEST(UntrustedText, ANameWithNulBytesIsQuotedWhole) {
  EXPECT_EQ(quoted_name("w\0\x01x"s), "'w\\x00\\x01x'");
  EXPECT_EQ(quoted_name("a\\b"), "'a\\\\b'");
}

TEST(UntrustedText, ANameLongerThanAnyRealOneIsCutSayingHowMuch) {
  EXPECT_EQ(quoted_name(std::string(200, 'n')), "'" + std::string(96, 'n') + "... (104 more bytes)'");
}

TEST(UntrustedText, TerminalSafeKeepsBackslashesAndEscapesControls) {
  EXPECT_EQ(terminal_safe("tensor 'w\\x00': bad\x1b[2J\n"), "tensor 'w\\x00': bad\\e[2J\\n");
  EXPECT_EQ(printable("\\"), "\\\\");
}

}  // namespace
}  // namespace lmc
