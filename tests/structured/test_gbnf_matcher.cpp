// The GBNF matcher: the example grammars take sample texts and refuse others, as the
// independent recognizer does; a text is complete only when nothing may follow it;
// UTF-8 characters are read a byte at a time, a refused one refused at its first byte
// where no class can take it; and the bounds on stacks and depth refuse, never crash.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "structured/gbnf_matcher.h"
#include "tests/structured/gbnf_examples.h"
#include "tests/structured/gbnf_recognizer.h"

namespace lmc::structured {
namespace {

// Fed whole: whether the matcher ends accepting.
bool accepts(GbnfMatcher& m, const std::string& text) {
  GbnfState s = m.start();
  return m.feed(s, text) && m.accepting(s);
}

struct Samples {
  const char* grammar;
  std::vector<std::string> good, bad;
};

TEST(GbnfMatcher, ExampleGrammarsAcceptAndRefuseAsTheRecognizer) {
  const std::vector<Samples> all = {
      {"json",
       {R"({"a": [1, -2.5e3, true, null], "b": {"c": "d\n\u00e9"}})", "[]", "\"x\"", "0", "{ }\n"},
       {"{", R"({"a" 1})", "[1,]", "01", "tru", R"("\x")", "{\"a\":1}}"}},
      {"list", {"- one\n", "- one\n- two words\n"}, {"", "- \n", "* one\n", "- one"}},
      {"arithmetic", {"1+2=3\n", "(a * b) - 4 = c\n2=2\n"}, {"1+2\n", "=3\n", "1++2=3\n", "(1=1\n"}},
      {"c",
       {"int main() {\n  int x = 1;\n  while (x < 10) { x = x + 1; }\n  return x;\n}\n",
        "void f(int a, float b) { if (a == b) { g(a, b); } else { return 0; } }"},
       {"int main( {}", "int f() { x = ; }", "main() {}", "int f() { return 1 }"}},
  };
  for (const Samples& s : all) {
    auto g = compile_gbnf(testing::example_grammar(s.grammar));
    GbnfMatcher m(*g);
    testing::GbnfRecognizer r(*g);
    for (const std::string& t : s.good) {
      EXPECT_TRUE(accepts(m, t)) << s.grammar << ": " << t;
      EXPECT_TRUE(r.matches(t)) << s.grammar << ": " << t;
    }
    for (const std::string& t : s.bad) {
      EXPECT_FALSE(accepts(m, t)) << s.grammar << ": " << t;
      EXPECT_FALSE(r.matches(t)) << s.grammar << ": " << t;
    }
  }
}

TEST(GbnfMatcher, CompleteOnlyWhenNothingMayFollow) {
  auto g = compile_gbnf(R"(root ::= "a" "b"?)");
  GbnfMatcher m(*g);
  GbnfState s = m.start();
  EXPECT_FALSE(m.accepting(s));
  ASSERT_TRUE(m.feed(s, "a"));
  EXPECT_TRUE(m.accepting(s));
  EXPECT_FALSE(m.complete(s));
  ASSERT_TRUE(m.feed(s, "b"));
  EXPECT_TRUE(m.complete(s));
  GbnfState after = s;
  EXPECT_FALSE(m.feed(after, "b"));
}

TEST(GbnfMatcher, ReadsUtf8AByteAtATime) {
  auto g = compile_gbnf(R"(root ::= [α-ω]+ "€"?)");
  GbnfMatcher m(*g);
  GbnfState s = m.start(), next;
  // β is CE B2: after CE the character is half read, and not yet accepting.
  ASSERT_TRUE(m.advance(s, 0xCE, next));
  EXPECT_FALSE(m.accepting(next));
  s = next;
  ASSERT_TRUE(m.advance(s, 0xB2, next));
  EXPECT_TRUE(m.accepting(next));
  s = next;
  // No class takes a character beginning with D0 (Cyrillic): refused at its first byte.
  EXPECT_FALSE(m.advance(s, 0xD0, next));
  // A continuation byte where a character begins, and a bad lead byte, are refused.
  EXPECT_FALSE(m.advance(s, 0xB2, next));
  EXPECT_FALSE(m.advance(s, 0xFF, next));
  EXPECT_TRUE(accepts(m, "αω€"));
  EXPECT_FALSE(accepts(m, "α\xE2\x82"));
  EXPECT_FALSE(accepts(m, "a"));
}

TEST(GbnfMatcher, NegatedClassesAndAnyCharacter) {
  auto g = compile_gbnf(R"(root ::= [^"\n]* "\"" . )");
  GbnfMatcher m(*g);
  EXPECT_TRUE(accepts(m, "héllo \xF0\x9F\x98\x80\"\n"));
  EXPECT_TRUE(accepts(m, "\"\xE2\x82\xAC"));
  EXPECT_FALSE(accepts(m, "a\nb\"c"));
}

TEST(GbnfMatcher, AmbiguityKeepsSeveralStacks) {
  auto g = compile_gbnf("root ::= word \" \" word | word \"-\" word\nword ::= [a-z]+");
  GbnfMatcher m(*g);
  GbnfState s = m.start();
  ASSERT_TRUE(m.feed(s, "ab"));
  EXPECT_GE(s.stacks(), 2u);
  EXPECT_TRUE(accepts(m, "ab-cd"));
  EXPECT_TRUE(accepts(m, "ab cd"));
  EXPECT_FALSE(accepts(m, "ab_cd"));
}

TEST(GbnfMatcher, DepthPastTheBoundIsRefusedNotACrash) {
  auto g = compile_gbnf(R"g(root ::= "(" root ")" | "x")g");
  GbnfMatcher m(*g);
  const size_t deep = GbnfMatcher::kMaxDepth / 2;
  EXPECT_TRUE(accepts(m, std::string(deep, '(') + "x" + std::string(deep, ')')));
  GbnfState s = m.start();
  EXPECT_FALSE(m.feed(s, std::string(GbnfMatcher::kMaxDepth + 8, '(')));
}

TEST(GbnfMatcher, ExponentialAmbiguityIsBounded) {
  // Each "a" may be any of three rules: 3^n readings, of which the state keeps a bounded set.
  auto g = compile_gbnf("root ::= x*\nx ::= \"a\" | y | z\ny ::= \"a\"\nz ::= \"a\" \"b\"?");
  GbnfMatcher m(*g);
  GbnfState s = m.start();
  ASSERT_TRUE(m.feed(s, std::string(40, 'a')));
  EXPECT_LE(s.stacks(), GbnfMatcher::kMaxStacks);
  EXPECT_TRUE(m.accepting(s));
}

}  // namespace
}  // namespace lmc::structured
