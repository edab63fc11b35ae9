// The compact tables a running tokenizer keeps: the token texts with their index
// (TokenTable) and the ranked merges (MergeTable), each checked against a std::map filled
// the way the hash maps they replace were, on hand-picked and on random contents.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "models/tokenizer/tokenizer_merge_table.h"
#include "models/tokenizer/tokenizer_token_table.h"

namespace lmc::models {
namespace {

TEST(TokenTable, TextsComeBackAndTheFirstOfASpellingIsFound) {
  const std::vector<std::string> texts = {"a", "", "ab", std::string("a\0b", 3), "a", "\xE2\x96\x81x", ""};
  TokenTable t(texts, "test");
  ASSERT_EQ(t.size(), texts.size());
  for (size_t i = 0; i < texts.size(); ++i) EXPECT_EQ(t.text(static_cast<int32_t>(i)), texts[i]) << i;
  EXPECT_EQ(t.find("a"), 0);
  EXPECT_EQ(t.find(""), 1);
  EXPECT_EQ(t.find("ab"), 2);
  EXPECT_EQ(t.find(std::string("a\0b", 3)), 3);
  EXPECT_EQ(t.find("\xE2\x96\x81x"), 5);
  EXPECT_EQ(t.find("b"), std::nullopt);
  EXPECT_EQ(t.find("abc"), std::nullopt);
  EXPECT_EQ(t.find(std::string("a\0", 2)), std::nullopt);
}

TEST(TokenTable, EmptyTableFindsNothing) {
  EXPECT_EQ(TokenTable().size(), 0u);
  EXPECT_EQ(TokenTable().find("a"), std::nullopt);
  TokenTable none({}, "test");
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.find(""), std::nullopt);
}

TEST(TokenTable, AgreesWithAMapOnRandomTexts) {
  std::mt19937 rng(11);
  std::vector<std::string> texts;
  std::map<std::string, int32_t> first;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    for (int k = 0, len = static_cast<int>(rng() % 5); k < len; ++k) s += static_cast<char>('a' + rng() % 4);
    first.try_emplace(s, i);
    texts.push_back(s);
  }
  TokenTable t(texts, "test");
  for (size_t i = 0; i < texts.size(); ++i) ASSERT_EQ(t.text(static_cast<int32_t>(i)), texts[i]);
  for (const auto& [s, id] : first) ASSERT_EQ(t.find(s), id) << s;
  for (int i = 0; i < 1000; ++i) {
    std::string absent = "z" + std::to_string(i);
    ASSERT_EQ(t.find(absent), std::nullopt);
  }
}

TEST(MergeTable, FindsThePairsFirstRankOnly) {
  MergeTable m(4);
  m.add(1, 2, 0, 10);
  m.add(2, 1, 1, 11);
  m.add(1, 2, 2, 12);  // a later, less urgent duplicate
  m.add(0, 0, 3, 13);
  ASSERT_TRUE(m.find(1, 2));
  EXPECT_EQ(m.find(1, 2)->id, 10);
  EXPECT_EQ(m.find(1, 2)->priority, 0.0);
  EXPECT_EQ(m.find(2, 1)->id, 11);
  EXPECT_EQ(m.find(2, 1)->priority, -1.0);
  EXPECT_EQ(m.find(0, 0)->id, 13);
  EXPECT_FALSE(m.find(2, 2));
  EXPECT_FALSE(m.find(0, 1));
  EXPECT_FALSE(m.empty());
}

TEST(MergeTable, EmptyTableFindsNothing) {
  EXPECT_TRUE(MergeTable().empty());
  EXPECT_FALSE(MergeTable().find(0, 0));
  EXPECT_TRUE(MergeTable(0).empty());
}

TEST(MergeTable, AgreesWithAMapOnRandomPairs) {
  std::mt19937 rng(5);
  const int n = 30000;
  MergeTable m(n);
  std::map<std::pair<int32_t, int32_t>, std::pair<int32_t, int32_t>> first;  // -> (rank, merged)
  for (int32_t rank = 0; rank < n; ++rank) {
    const auto left = static_cast<int32_t>(rng() % 300), right = static_cast<int32_t>(rng() % 300);
    const auto merged = static_cast<int32_t>(rng() % 100000);
    m.add(left, right, rank, merged);
    first.try_emplace({left, right}, rank, merged);
  }
  for (int32_t left = 0; left < 300; ++left)
    for (int32_t right = 0; right < 300; ++right) {
      auto found = m.find(left, right);
      auto it = first.find({left, right});
      ASSERT_EQ(found.has_value(), it != first.end()) << left << " " << right;
      if (!found) continue;
      ASSERT_EQ(found->priority, -static_cast<double>(it->second.first));
      ASSERT_EQ(found->id, it->second.second);
    }
}

}  // namespace
}  // namespace lmc::models
