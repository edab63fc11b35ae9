// The GBNF parser and checks: the example grammars compile; the syntax's parts (escapes,
// classes, repetitions, comments, rules over lines) read as llama.cpp reads them; and each
// refused grammar is refused with a message at its line and column: syntax errors, rules
// never defined or defined twice, no root, left recursion (direct, indirect, behind a part
// that may match nothing), and sizes past the bounds.
#include <gtest/gtest.h>

#include <string>

#include "structured/gbnf_grammar.h"
#include "tests/structured/gbnf_examples.h"
#include "tests/structured/gbnf_recognizer.h"

namespace lmc::structured {
namespace {

std::string error_of(const std::string& text) {
  try {
    compile_gbnf(text);
  } catch (const GbnfError& e) {
    return e.what();
  }
  return "(compiled)";
}

bool matches(const std::string& grammar, const std::string& text) {
  auto g = compile_gbnf(grammar);
  return testing::GbnfRecognizer(*g).matches(text);
}

TEST(GbnfParser, ExampleGrammarsCompile) {
  for (const char* name : {"json", "list", "arithmetic", "c"}) {
    const std::string text = testing::example_grammar(name);
    ASSERT_FALSE(text.empty()) << name;
    auto g = compile_gbnf(text);
    EXPECT_EQ(g->names[g->root], "root") << name;
  }
}

TEST(GbnfParser, EscapesAndClasses) {
  EXPECT_TRUE(matches(R"(root ::= "a\n\t\\\"\x41\u00e9\U0001F600")", "a\n\t\\\"A\xC3\xA9\xF0\x9F\x98\x80"));
  EXPECT_TRUE(matches(R"(root ::= [a-c\-\]x]+)", "ab-]x"));
  EXPECT_FALSE(matches(R"(root ::= [a-c\-\]x]+)", "d"));
  EXPECT_TRUE(matches(R"(root ::= [^a-z]+)", "A9\xC3\xA9"));
  EXPECT_FALSE(matches(R"(root ::= [^a-z]+)", "Ab"));
  EXPECT_TRUE(matches("root ::= . . .", "a\n\xE2\x82\xAC"));
  EXPECT_TRUE(matches("root ::= \"é\" [α-ω]", "é\xCE\xB2"));
}

TEST(GbnfParser, Repetitions) {
  const std::string g = R"(root ::= "a"{2,3} "b"{2} "c"{,1} "d"{1,} ("e" "f")*)";
  EXPECT_TRUE(matches(g, "aabbd"));
  EXPECT_TRUE(matches(g, "aaabbcddefef"));
  EXPECT_FALSE(matches(g, "abbd"));
  EXPECT_FALSE(matches(g, "aaaabbd"));
  EXPECT_FALSE(matches(g, "aabbccd"));
  EXPECT_FALSE(matches(g, "aabb"));
  EXPECT_FALSE(matches(g, "aabbde"));
  EXPECT_TRUE(matches(R"(root ::= "x"+ "y"? "z"*)", "xxzz"));
  EXPECT_TRUE(matches(R"(root ::= "ab"{0,2})", "abab"));
  EXPECT_FALSE(matches(R"(root ::= "ab"{0,2})", "aba"));
}

TEST(GbnfParser, RulesOverLinesCommentsAndDashes) {
  const std::string g =
      "# a comment\n"
      "root ::= first-part # trailing\n"
      "  | (\n"
      "      \"b\"\n"
      "      | \"c\" )\n"
      "\n"
      "first-part ::=\n"
      "  \"a\" rest_2\n"
      "rest_2 ::= \"!\"\n";
  EXPECT_TRUE(matches(g, "a!"));
  EXPECT_TRUE(matches(g, "b"));
  EXPECT_TRUE(matches(g, "c"));
  EXPECT_FALSE(matches(g, "a"));
  // Windows line ends read as the others.
  EXPECT_TRUE(matches("root ::= a\r\n  | \"b\"\r\na ::= \"x\" # c\r\n", "b"));
}

TEST(GbnfParser, SyntaxErrorsHaveTheirPlace) {
  EXPECT_EQ(error_of("root = \"a\""), "1:6: expected '::=' after the rule name 'root'");
  EXPECT_EQ(error_of("root ::= \"a\nx ::= \"b\""), "1:10: the string is not closed before the end of the line");
  EXPECT_EQ(error_of("root ::= [a-z"), "1:10: the character class is not closed");
  EXPECT_EQ(error_of("root ::= (\"a\" | \"b\""), "1:20: the group opened at 1:10 is not closed");
  EXPECT_EQ(error_of("root ::= \"a\" )"), "1:14: unexpected ')'");
  EXPECT_EQ(error_of("root ::= \"\\q\""), "1:11: unknown escape '\\q'");
  EXPECT_EQ(error_of("root ::= \"\\x4\""), "1:11: the escape needs 2 hexadecimal digits");
  EXPECT_EQ(error_of("root ::= [z-a]"), "1:11: the range's end is before its start");
  EXPECT_EQ(error_of("root ::= \"a\"{}"), "1:13: the repetition needs a count");
  EXPECT_EQ(error_of("root ::= \"a\"{3,2}"), "1:13: the repetition's most is fewer than its least");
  EXPECT_EQ(error_of("root ::= \"a\"{2"), "1:15: expected '}' to close the repetition, found the end of the grammar");
  EXPECT_EQ(error_of("root ::= <[1000]>"),
            "1:10: token references (<...>) are not supported; write the token's text as "
            "a literal");
  EXPECT_EQ(error_of("root ::= \"\xFF\""), "1:11: the grammar is not UTF-8");
  EXPECT_EQ(error_of("\n  ::= \"a\""), "2:3: expected a rule name, found ':'");
}

TEST(GbnfParser, RulesMustBeDefinedOnceAndRootMustExist) {
  EXPECT_EQ(error_of("root ::= item\nitem ::= \"a\" other"), "2:14: rule 'other' is not defined");
  EXPECT_EQ(error_of("root ::= \"a\"\nroot ::= \"b\""), "2:1: rule 'root' is defined twice (first at 1:1)");
  EXPECT_EQ(error_of("start ::= \"a\"\n"), "2:1: the grammar has no 'root' rule (where matching starts)");
  EXPECT_EQ(error_of(""), "1:1: the grammar has no 'root' rule (where matching starts)");
}

TEST(GbnfParser, LeftRecursionIsRefusedNamingTheRule) {
  EXPECT_EQ(error_of("root ::= root \"a\" | \"b\""),
            "1:1: rule 'root' is left-recursive (root -> root); write the recursion on the right");
  EXPECT_EQ(error_of("root ::= expr\nexpr ::= term \"+\" | \"x\"\nterm ::= (expr \"*\")?"),
            "2:1: rule 'expr' is left-recursive (expr -> term -> expr); write the recursion on the right");
  // Behind a part that may match nothing.
  EXPECT_EQ(error_of("root ::= blank list\nlist ::= blank list \"x\" | \"y\"\nblank ::= \" \"*"),
            "2:1: rule 'list' is left-recursive (list -> list); write the recursion on the right");
  EXPECT_EQ(error_of("root ::= \"a\" (\"b\"?)*"),
            "1:14: in rule 'root', a repetition of a part that may match nothing (left recursion)");
  // Recursion on the right is fine.
  EXPECT_EQ(error_of("root ::= \"(\" root \")\" | \"\""), "(compiled)");
}

TEST(GbnfParser, SizesAreBounded) {
  EXPECT_EQ(error_of("root ::= \"a\"{0,100000}"), "1:16: the repetition count 100000 is more than 1000");
  EXPECT_EQ(error_of("root ::= \"a\"{99999999999999999999}"),
            "1:14: the repetition count 1099511627776 is more than 1000");
  std::string many = "root ::= x0\n";
  for (int i = 0; i < 12; ++i) many += "x" + std::to_string(i) + " ::= \"a\"{0,1000} x" + std::to_string(i + 1) + "\n";
  many += "x12 ::= \"z\"\n";
  EXPECT_NE(error_of(many).find("the grammar needs more than 10000 rules"), std::string::npos) << error_of(many);
  const std::string wide = "root ::= \"" + std::string(300, 'w') + "\"{1000}";
  EXPECT_EQ(error_of(wide), "1:10: the grammar needs more than 200000 elements once its repetitions are written out");
  EXPECT_EQ(error_of("root ::= " + std::string(300, '(') + "\"a\"" + std::string(300, ')')),
            "1:210: groups are nested deeper than 200");
}

}  // namespace
}  // namespace lmc::structured
