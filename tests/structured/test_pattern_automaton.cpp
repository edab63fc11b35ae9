// JSON schema's `pattern` compiled to the byte automaton (byte_dfa.h, regex_syntax.h),
// held to PCRE2: over texts of the bytes it writes (printable ASCII but '"' and '\'), random
// ones and ones drawn from the automaton itself, it takes exactly the texts in which PCRE2
// finds the pattern. Patterns outside the subset are refused naming the construct.
#include <gtest/gtest.h>

#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "structured/byte_dfa.h"
#include "tests/structured/pcre2_search.h"

namespace lmc::structured {
namespace {

const char* const kPatterns[] = {
    "^[A-Z]{3}-\\d{4}$",
    "a+b",
    "^(foo|bar)+$",
    "[^a-c]x",
    "\\w+@\\w+\\.com$",
    "^$",
    "",
    "colou?r",
    "^\\s*\\S+\\s*$",
    "(?:ab|cd){2,3}",
    "x{2,}",
    "^[\\d.]+$",
    "\\.",
    "^a|b$",
    "[]a]b",
    "[a-]z",
    "(?<year>\\d{4})-(?P<m>\\d\\d)",
    "a*?b",
    "^.{2,5}$",
    "[\\x41-\\x43]+c",
    "\\u0041",
    "é|z",
    "^[^é]{2}$",
    "^\\W\\D$",
    "ab|",
    "^(a|ab)(c|bcd)(d*)$",
    "^[a-zA-Z_][a-zA-Z0-9_]*$",
    "^\\+?[0-9 ]{3,8}$",
    "(x|y)z{0,2}$",
};

// Bytes the random texts are made of: all the text bytes, but mostly those the patterns name.
std::string random_text(std::mt19937& rng) {
  static const std::string common = "abcdxyzrABCZ019-_. @+";
  std::string all;
  for (int b = 0x20; b < 0x7F; ++b)
    if (b != '"' && b != '\\') all += static_cast<char>(b);
  std::string t;
  const size_t n = rng() % 12;
  for (size_t i = 0; i < n; ++i) t += rng() % 4 ? common[rng() % common.size()] : all[rng() % all.size()];
  return t;
}

// A text the automaton takes, drawn byte by byte among those it allows.
std::string drawn_text(const ByteDfa& d, std::mt19937& rng) {
  std::string t;
  int32_t s = d.start();
  while (!(d.accepting(s) && (rng() % 4 == 0 || t.size() > 20))) {
    std::vector<uint8_t> next;
    for (int b = 0; b < 128; ++b)
      if (d.next(s, static_cast<uint8_t>(b)) != ByteDfa::kRefused) next.push_back(static_cast<uint8_t>(b));
    // The shortest way out once long: every kept state can still end.
    if (t.size() > 20) std::erase_if(next, [&](uint8_t b) { return d.to_end(d.next(s, b)) >= d.to_end(s); });
    if (next.empty()) break;  // an end with no way on
    const uint8_t b = next[rng() % next.size()];
    t += static_cast<char>(b);
    s = d.next(s, b);
  }
  return t;
}

TEST(PatternAutomaton, AgreesWithPcre2) {
  std::mt19937 rng(68);
  for (const char* p : kPatterns) {
    const ByteDfa d(p, ByteDfa::Match::Anywhere);
    const testing::Pcre2Search pcre(p);
    for (int i = 0; i < 3000; ++i) {
      const std::string t = random_text(rng);
      EXPECT_EQ(d.matches(t), pcre.found(t)) << "pattern " << p << ", text '" << t << "'";
    }
    for (int i = 0; i < 300; ++i) {
      const std::string t = drawn_text(d, rng);
      EXPECT_TRUE(d.matches(t));
      EXPECT_TRUE(pcre.found(t)) << "pattern " << p << ", text '" << t << "'";
    }
  }
}

// Texts with a byte it never writes are refused even where PCRE2 finds the pattern: the
// answer never needs an escape.
TEST(PatternAutomaton, WritesNoByteThatNeedsAnEscape) {
  const ByteDfa d(".", ByteDfa::Match::Anywhere);
  for (const char* t : {"\"", "\\", "\t", "\x7f", "\xc3\xa9"}) EXPECT_FALSE(d.matches(t)) << t;
  EXPECT_TRUE(d.matches("~"));
  EXPECT_THROW(ByteDfa("^\"$", ByteDfa::Match::Anywhere), std::invalid_argument);
  EXPECT_THROW(ByteDfa("^é$", ByteDfa::Match::Anywhere), std::invalid_argument);
}

TEST(PatternAutomaton, RefusesConstructsOutsideTheSubset) {
  struct Row {
    const char* pattern;
    const char* words;
  } rows[] = {
      {"(a)\\1", "backreference"},
      {"(?=a)b", "lookahead"},
      {"(?!a)b", "negative lookahead"},
      {"(?<=a)b", "lookbehind"},
      {"a*+", "possessive"},
      {"(?>a)", "atomic group"},
      {"(?i)a", "the group '(?i'"},
      {"\\bword", "assertion"},
      {"\\p{L}", "Unicode property"},
      {"[[:alpha:]]", "POSIX class"},
      {"a^b", "'^'"},
      {"(a$)", "'$'"},
      {"a**", "quantifier follows a quantifier"},
      {"a{2,1}", "n <= m"},
      {"a{x}", "'{'"},
      {"(a{100}){100}", "expands past"},
      {"(a{50}){50}", "too many states"},
      {"a.{14}", "too many states"},
      {"[a-", "not closed"},
      {"(ab", "not closed"},
      {"ab)", "')'"},
  };
  for (const Row& r : rows) {
    try {
      ByteDfa d(r.pattern, ByteDfa::Match::Anywhere);
      ADD_FAILURE() << r.pattern << " compiled";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(r.words), std::string::npos) << r.pattern << ": " << e.what();
    }
  }
}

// An allowance shared by several automata: each takes what it used, and one past it is refused.
TEST(PatternAutomaton, AutomataShareAnAllowance) {
  size_t left = ByteDfa::kMaxWork;
  ByteDfa("^[A-Z]{3}-\\d{4}$", ByteDfa::Match::Anywhere, &left);
  EXPECT_LT(left, ByteDfa::kMaxWork);
  const size_t after_one = left;
  ByteDfa("a.{9}", ByteDfa::Match::Anywhere, &left);  // about 2.4 million steps
  EXPECT_LT(left, after_one - 1'000'000);
  EXPECT_THROW(ByteDfa("a.{9}", ByteDfa::Match::Anywhere, &left), std::invalid_argument);
  EXPECT_NO_THROW(ByteDfa("a.{9}", ByteDfa::Match::Anywhere));  // alone, within its own
}

// Intersections: a pattern with a length, or with a format's grammar.
TEST(PatternAutomaton, IntersectsWithLengthsAndOtherGrammars) {
  const ByteDfa b("b", ByteDfa::Match::Anywhere);
  const ByteDfa short_b = ByteDfa::both(b, ByteDfa::of_length(2, 3));
  EXPECT_TRUE(short_b.matches("ab"));
  EXPECT_TRUE(short_b.matches("bbb"));
  EXPECT_FALSE(short_b.matches("b"));
  EXPECT_FALSE(short_b.matches("abba"));
  EXPECT_FALSE(short_b.matches("aa"));
  EXPECT_EQ(short_b.shortest(), 2u);
  EXPECT_EQ(short_b.longest(), 3u);
  EXPECT_EQ(ByteDfa::of_length(1, ByteDfa::kUnbounded).longest(), ByteDfa::kUnbounded);
  EXPECT_THROW(ByteDfa::both(ByteDfa("^a+$", ByteDfa::Match::Anywhere), ByteDfa("b")), std::invalid_argument);
}

}  // namespace
}  // namespace lmc::structured
