#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <set>

#include "runtime/dry_penalty.h"

namespace lmc::runtime {
namespace {

std::map<int32_t, float> as_map(const std::vector<std::pair<int32_t, float>>& v) {
  std::map<int32_t, float> m;
  for (auto [t, p] : v) m[t] = p;
  return m;
}

// DRY by its definition, the slow way: in the window, each earlier position j whose L
// preceding tokens equal the window's last L tokens (L counted up to the most recent
// single-token breaker) would see w[j] extend a repeat of L; a token takes its longest.
std::map<int32_t, float> reference(const std::vector<int32_t>& history, const DryOptions& o,
                                   const std::set<int32_t>& single_breakers) {
  const size_t n = o.penalty_last_n < 0 ? history.size() : std::min(history.size(), size_t(o.penalty_last_n));
  const std::vector<int32_t> w(history.end() - static_cast<std::ptrdiff_t>(n), history.end());
  if (int64_t(n) <= o.allowed_length) return {};
  int64_t limit = int64_t(n);
  for (int64_t i = 0; i < int64_t(n); ++i)
    if (single_breakers.count(w[n - 1 - size_t(i)])) {
      limit = i;
      break;
    }
  if (limit < o.allowed_length) return {};
  std::map<int32_t, int64_t> longest;
  for (size_t j = 1; j < n; ++j) {  // w[j] follows w[0, j)
    int64_t len = 0;
    while (len < int64_t(j) && w[j - 1 - size_t(len)] == w[n - 1 - size_t(len)]) ++len;
    len = std::min(len, limit);
    if (len >= o.allowed_length) longest[w[j]] = std::max(longest[w[j]], len);
  }
  std::map<int32_t, float> out;
  for (auto [t, len] : longest)
    if (!single_breakers.count(t)) out[t] = o.multiplier * std::pow(o.base, float(len - o.allowed_length));
  return out;
}

DryOptions on(float multiplier = 0.8f) {
  DryOptions o;
  o.multiplier = multiplier;
  return o;
}

TEST(DryPenalty, PenalisesTheTokensThatWouldExtendARepeat) {
  // a b c c b c y a b c: "a b c" was followed by c, "b c" by y, "c" by b and c.
  const std::vector<int32_t> h{0, 1, 2, 2, 1, 2, 9, 0, 1, 2};
  DryOptions o = on();
  auto got = as_map(dry_penalties(h, o));
  ASSERT_EQ(got.size(), 2u);
  EXPECT_FLOAT_EQ(got[2], 0.8f * 1.75f);  // repeat of 3, allowed 2
  EXPECT_FLOAT_EQ(got[9], 0.8f);          // repeat of 2
  o.allowed_length = 3;
  got = as_map(dry_penalties(h, o));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_FLOAT_EQ(got[2], 0.8f);
}

TEST(DryPenalty, OffUnlessMultiplierBaseAndWindowAllowIt) {
  const std::vector<int32_t> h{0, 1, 2, 0, 1, 2, 0, 1};
  EXPECT_FALSE(dry_penalties(h, on()).empty());
  EXPECT_TRUE(dry_penalties(h, on(0)).empty());
  DryOptions o = on();
  o.base = 0.9f;
  EXPECT_TRUE(dry_penalties(h, o).empty());
  o = on();
  o.penalty_last_n = 0;
  EXPECT_TRUE(dry_penalties(h, o).empty());
  o.penalty_last_n = 2;  // no longer than the allowed length
  EXPECT_TRUE(dry_penalties(h, o).empty());
}

TEST(DryPenalty, ASingleTokenBreakerCapsRepeatsAndIsNeverPenalised) {
  // 7 breaks: the repeat "0 1 2 3" reaches back only to after it.
  const std::vector<int32_t> h{0, 1, 2, 3, 4, 0, 1, 7, 2, 3};
  auto breakers = std::make_shared<DryBreakers>();
  breakers->emplace(7, std::vector<int32_t>{});
  DryOptions o = on();
  auto without = as_map(dry_penalties(h, o));
  EXPECT_FLOAT_EQ(without[4], 0.8f);  // "2 3" then 4
  o.breakers = breakers;
  EXPECT_EQ(as_map(dry_penalties(h, o)), reference(h, o, {7}));
  // The breaker is the most recent token: nothing can repeat.
  const std::vector<int32_t> ends{7, 5, 6, 7, 5, 6, 7};
  EXPECT_TRUE(dry_penalties(ends, o).empty());
  // A repeat that a breaker token would extend costs it nothing.
  const std::vector<int32_t> before{5, 6, 7, 1, 5, 6};
  EXPECT_TRUE(as_map(dry_penalties(before, o)).count(7) == 0);
  o.breakers = nullptr;
  EXPECT_FLOAT_EQ(as_map(dry_penalties(before, o))[7], 0.8f);
}

TEST(DryPenalty, AMultiTokenBreakerCountsOnlyWhenItsTailFollows) {
  auto breakers = std::make_shared<DryBreakers>();
  breakers->emplace(8, std::vector<int32_t>{9});  // the breaker "8 9"
  DryOptions o = on();
  // "8 9 1 2" then 4, and "8 9 1 2" again: the repeat of 4 reaches back only to "1 2".
  const std::vector<int32_t> h{8, 9, 1, 2, 4, 8, 9, 1, 2};
  EXPECT_FLOAT_EQ(as_map(dry_penalties(h, o))[4], 0.8f * 1.75f * 1.75f);
  o.breakers = breakers;
  EXPECT_FLOAT_EQ(as_map(dry_penalties(h, o))[4], 0.8f);
  // An 8 without its 9 breaks nothing.
  const std::vector<int32_t> h2{8, 5, 1, 2, 4, 8, 5, 1, 2};
  EXPECT_FLOAT_EQ(as_map(dry_penalties(h2, o))[4], 0.8f * 1.75f * 1.75f);
}

TEST(DryPenalty, TheWindowIsTheLastNTokens) {
  const std::vector<int32_t> h{0, 1, 2, 3, 5, 5, 0, 1, 2};
  DryOptions o = on();
  EXPECT_FLOAT_EQ(as_map(dry_penalties(h, o))[3], 0.8f * 1.75f);
  o.penalty_last_n = 5;  // 5 0 1 2 ... no earlier "1 2"
  EXPECT_TRUE(dry_penalties(h, o).empty());
}

TEST(DryPenalty, TheExponentStopsBeforeFloatOverflows) {
  std::vector<int32_t> h(400, 3);  // 3 3 3 ...: 3 extends a repeat of 398
  DryOptions o = on(1);
  o.base = 2;
  const int max_exponent = int(88.7228391 / std::log(2.0));
  EXPECT_FLOAT_EQ(as_map(dry_penalties(h, o))[3], std::pow(2.0f, float(max_exponent)));
}

// The Z-function against the definition, on random histories over small alphabets.
TEST(DryPenalty, MatchesTheDefinitionOnRandomHistories) {
  std::mt19937 rng(11);
  auto breakers = std::make_shared<DryBreakers>();
  breakers->emplace(0, std::vector<int32_t>{});
  for (int trial = 0; trial < 400; ++trial) {
    const int alphabet = 2 + trial % 4;
    std::vector<int32_t> h(size_t(1 + rng() % 60));
    for (int32_t& t : h) t = int32_t(rng() % unsigned(alphabet));
    DryOptions o = on(0.5f + float(trial % 3));
    o.allowed_length = trial % 4;
    o.penalty_last_n = trial % 5 == 0 ? 17 : -1;
    const bool with_breaker = trial % 2 == 0;
    if (with_breaker) o.breakers = breakers;
    const auto want = reference(h, o, with_breaker ? std::set<int32_t>{0} : std::set<int32_t>{});
    const auto got = as_map(dry_penalties(h, o));
    ASSERT_EQ(got.size(), want.size()) << "trial " << trial;
    for (auto [t, p] : want) EXPECT_FLOAT_EQ(got.at(t), p) << "trial " << trial << ", token " << t;
  }
}

}  // namespace
}  // namespace lmc::runtime
