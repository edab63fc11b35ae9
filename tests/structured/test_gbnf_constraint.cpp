// The GBNF token constraint on a made-up vocabulary (every byte, words, punctuation, whole
// and partial UTF-8 characters): its mask equals the brute-force one (a token allowed
// exactly when the matcher reads all its bytes, end of generation when the root is
// matched), and text sampled from it — random tokens among those allowed, until the end
// of generation or the constraint's completion — is always of the grammar, as the
// independent recognizer decides.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "structured/gbnf_token_constraint.h"
#include "tests/structured/gbnf_examples.h"
#include "tests/structured/gbnf_recognizer.h"

namespace lmc::structured {
namespace {

constexpr int32_t kEog = 256;

std::shared_ptr<const TokenVocabulary> made_up_vocabulary() {
  std::vector<std::string> texts;
  for (int b = 0; b < 256; ++b) texts.emplace_back(1, static_cast<char>(b));
  texts.emplace_back();  // kEog: no text
  for (const char* t :
       {"- ",       "\n- ",     "\n",   " = ", "12",    "0.5",   "true",   "null", "false", "{\"", "\": ",    "\", \"",
        "\"}",      "[1, ",     "]",    "int", " main", "() {",  "return", " x",   ";\n",   "}\n", "while (", " < ",
        "\xC3\xA9", "\xE2\x82", "\xAC", "ab",  "cd",    "x + y", "(a",     ")",    "\\u00", "\\n", "if",      " else "})
    texts.emplace_back(t);
  return std::make_shared<TokenVocabulary>(texts, std::vector<int32_t>{kEog});
}

bool bit(const std::vector<uint64_t>& bits, size_t id) { return bits[id / 64] >> (id % 64) & 1; }

std::vector<uint64_t> brute_force(GbnfMatcher& m, const TokenVocabulary& v, const GbnfState& s) {
  std::vector<uint64_t> bits((v.size() + 63) / 64, 0);
  for (size_t id = 0; id < v.size(); ++id) {
    const auto t = static_cast<int32_t>(id);
    GbnfState copy = s;
    const bool ok = v.is_eog(t) ? m.accepting(s) : !v.text(t).empty() && m.feed(copy, v.text(t));
    if (ok) bits[id / 64] |= uint64_t{1} << (id % 64);
  }
  return bits;
}

// Samples answers from the constraint; each that ends (end of generation chosen, or the
// constraint complete) must be of the grammar. Along the way the mask is checked against
// the brute-force one.
void sample_and_check(const std::string& name, int answers) {
  auto g = compile_gbnf(testing::example_grammar(name));
  auto vocab = made_up_vocabulary();
  testing::GbnfRecognizer recognizer(*g);
  GbnfMatcher shadow(*g);
  std::mt19937 rng(7);
  int ended = 0;
  for (int n = 0; n < answers; ++n) {
    GbnfTokenConstraint c(g, vocab);
    GbnfState state = shadow.start();
    std::string text;
    bool done = false;
    for (int step = 0; step < 120 && !done; ++step) {
      const std::vector<uint64_t> allowed = c.allowed();
      ASSERT_EQ(allowed, brute_force(shadow, *vocab, state)) << name << " after '" << text << "'";
      std::vector<int32_t> ids;
      for (size_t id = 0; id < vocab->size(); ++id)
        if (bit(allowed, id)) ids.push_back(static_cast<int32_t>(id));
      ASSERT_FALSE(ids.empty()) << name << " after '" << text << "'";
      // End when allowed, one time in four, so answers are neither all short nor all long.
      if (bit(allowed, kEog) && rng() % 4 == 0) {
        done = true;
        break;
      }
      int32_t t = ids[rng() % ids.size()];
      if (t == kEog) {
        done = true;
        break;
      }
      ASSERT_TRUE(c.accept(t));
      ASSERT_TRUE(shadow.feed(state, vocab->text(t)));
      text += vocab->text(t);
      done = c.complete();
    }
    if (!done) continue;
    ++ended;
    EXPECT_TRUE(recognizer.matches(text)) << name << ": '" << text << "'";
  }
  EXPECT_GT(ended, answers / 4) << name;
}

TEST(GbnfConstraint, SampledTextIsOfTheGrammar) {
  for (const char* name : {"list", "arithmetic", "json", "c"}) sample_and_check(name, 40);
}

TEST(GbnfConstraint, CompleteWhenNothingMayFollow) {
  auto vocab = made_up_vocabulary();
  GbnfTokenConstraint c(compile_gbnf(R"(root ::= "ab" | "abcd")"), vocab);
  EXPECT_FALSE(c.complete());
  EXPECT_FALSE(bit(c.allowed(), kEog));
  ASSERT_TRUE(c.accept(vocab->size() - 9));  // "ab"
  EXPECT_TRUE(bit(c.allowed(), kEog));
  EXPECT_FALSE(c.complete());
  ASSERT_TRUE(c.accept('c'));
  EXPECT_FALSE(bit(c.allowed(), kEog));
  ASSERT_TRUE(c.accept('d'));
  EXPECT_TRUE(c.complete());
}

TEST(GbnfConstraint, MasksARowAndRefusesATokenItDidNotAllow) {
  auto vocab = made_up_vocabulary();
  GbnfTokenConstraint c(compile_gbnf(R"(root ::= [0-9]+)"), vocab);
  // A row longer than the vocabulary: the ids past it are banned too.
  std::vector<float> row(vocab->size() + 5, 1.0f);
  ASSERT_TRUE(c.mask(row));
  for (size_t id = 0; id < row.size(); ++id) {
    const bool digit = id >= '0' && id <= '9';
    const bool twelve = id < vocab->size() && vocab->text(static_cast<int32_t>(id)) == "12";
    EXPECT_EQ(std::isinf(row[id]), !(digit || twelve)) << id;
  }
  EXPECT_FALSE(c.accept('a'));
  EXPECT_FALSE(c.accept(-1));
  EXPECT_FALSE(c.accept(static_cast<int32_t>(vocab->size())));
}

}  // namespace
}  // namespace lmc::structured
