// The special-token matcher: leftmost-longest matches, the first token of a spelling,
// agreement with trying every spelling at every position on random texts, and a linear
// number of automaton moves on the input that made position-by-position matching hang.
#include <gtest/gtest.h>

#include <random>

#include "models/tokenizer/tokenizer_special_matcher.h"

namespace lmc::models {
namespace {

using Specials = std::vector<std::pair<std::string_view, int32_t>>;

std::string render(const std::vector<TextFragment>& fragments) {
  std::string out;
  for (const auto& f : fragments)
    out += f.token < 0 ? "[" + std::string(f.text) + "]" : "<" + std::to_string(f.token) + ">";
  return out;
}

// The specification: at each position the longest spelling wins, else one plain byte.
std::string reference_split(const Specials& specials, std::string_view text) {
  std::string out, plain;
  for (size_t pos = 0; pos < text.size();) {
    size_t best_len = 0;
    int32_t best = -1;
    for (const auto& [s, token] : specials)
      if (!s.empty() && s.size() > best_len && text.substr(pos, s.size()) == s) {
        best_len = s.size();
        best = token;
      }
    if (best < 0) {
      plain += text[pos++];
      continue;
    }
    if (!plain.empty()) out += "[" + plain + "]";
    plain.clear();
    out += "<" + std::to_string(best) + ">";
    pos += best_len;
  }
  if (!plain.empty()) out += "[" + plain + "]";
  return out;
}

TEST(SpecialMatcher, LongestLeftmostAndFirstTokenWins) {
  SpecialMatcher m(Specials{{"<a>", 1}, {"<a><b>", 2}, {"b", 3}, {"b", 4}, {"", 5}});
  EXPECT_EQ(render(m.split("x<a><b>y<a>b")), "[x]<2>[y]<1><3>");
  EXPECT_EQ(render(m.split("")), "");
  EXPECT_EQ(render(SpecialMatcher().split("plain")), "[plain]");
}

TEST(SpecialMatcher, AgreesWithTheReferenceOnRandomTexts) {
  std::mt19937 rng(7);
  for (int round = 0; round < 300; ++round) {
    std::vector<std::string> spellings;
    for (int i = 0, n = 1 + static_cast<int>(rng() % 6); i < n; ++i) {
      std::string s;
      for (int k = 0, len = 1 + static_cast<int>(rng() % 4); k < len; ++k) s += static_cast<char>('a' + rng() % 3);
      spellings.push_back(s);
    }
    Specials specials;
    for (size_t i = 0; i < spellings.size(); ++i) specials.emplace_back(spellings[i], static_cast<int32_t>(i));
    // The reference keeps the first token of a repeated spelling, as the matcher does.
    Specials first;
    for (const auto& s : specials)
      if (std::none_of(first.begin(), first.end(), [&](const auto& f) { return f.first == s.first; }))
        first.push_back(s);
    std::string text;
    for (int k = 0, len = static_cast<int>(rng() % 40); k < len; ++k) text += static_cast<char>('a' + rng() % 3);
    EXPECT_EQ(render(SpecialMatcher(specials).split(text)), reference_split(first, text)) << text;
  }
}

// Nodes with many edges (the matcher keeps each node's edges sorted by byte): spellings
// over bytes from 0x00 to 0xFF, and every byte a spelling of its own.
TEST(SpecialMatcher, AgreesWithTheReferenceOverWideAlphabets) {
  std::mt19937 rng(13);
  const std::string alphabet = std::string("\x00\x01\x7F\x80\xFE\xFF", 6) + "az<>";
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> spellings;
    for (int i = 0; i < 30; ++i) {
      std::string s;
      for (int k = 0, len = 1 + static_cast<int>(rng() % 3); k < len; ++k) s += alphabet[rng() % alphabet.size()];
      spellings.push_back(s);
    }
    Specials specials, first;
    for (size_t i = 0; i < spellings.size(); ++i) specials.emplace_back(spellings[i], static_cast<int32_t>(i));
    for (const auto& s : specials)
      if (std::none_of(first.begin(), first.end(), [&](const auto& f) { return f.first == s.first; }))
        first.push_back(s);
    std::string text;
    for (int k = 0; k < 60; ++k) text += alphabet[rng() % alphabet.size()];
    EXPECT_EQ(render(SpecialMatcher(specials).split(text)), reference_split(first, text));
  }
  std::vector<std::string> bytes;
  for (int b = 0; b < 256; ++b) bytes.push_back(std::string(1, static_cast<char>(b)));
  Specials every_byte{{"\xFF\x00", 300}};
  for (int b = 0; b < 256; ++b) every_byte.emplace_back(bytes[static_cast<size_t>(b)], b);
  std::string text;
  for (int b = 255; b >= 0; --b) text += static_cast<char>(b);
  text += '\x00';
  SpecialMatcher m(every_byte);
  EXPECT_EQ(render(m.split(text)), reference_split(every_byte, text));
}

// A spelling of 20k bytes that almost matches everywhere in a 2 MB text: matching it at
// each position took the text length times the spelling length (4e10 trie steps); the
// automaton makes at most two moves per byte.
TEST(SpecialMatcher, MovesStayLinearOnAnAlmostMatchingText) {
  const std::string spelling = std::string(20000, 'a') + "b";
  const std::string text = std::string(2000000, 'a') + "b";
  SpecialMatcher m(Specials{{spelling, 9}, {"aa", 1}});
  size_t steps = 0;
  auto fragments = m.split(text, &steps);
  EXPECT_LE(steps, 2 * text.size());
  ASSERT_EQ(fragments.size(), 990001u);  // 990000 "aa", then the long spelling
  EXPECT_EQ(fragments.back().token, 9);
  EXPECT_EQ(fragments.front().token, 1);
}

}  // namespace
}  // namespace lmc::models
