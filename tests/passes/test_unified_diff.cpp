// The unified diff --print-changed=diff prints: hunks with context, and a diff that
// applied to the old text gives the new one, for random edits.
#include <gtest/gtest.h>

#include <random>
#include <sstream>

#include "passes/unified_diff.h"

namespace lmc::passes {
namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// Applies a unified diff to `a`: a plain reference of what `patch` does.
std::string patch(const std::string& a, const std::string& diff) {
  auto old_lines = lines(a), d = lines(diff);
  std::vector<std::string> out;
  size_t next = 0;  // next unconsumed line of a
  for (size_t i = 2; i < d.size(); ++i) {
    if (d[i].rfind("@@ -", 0) == 0) {
      size_t start = std::stoul(d[i].substr(4)), count = std::stoul(d[i].substr(d[i].find(',') + 1));
      if (count > 0) --start;  // an empty side names the line before it
      while (next < start) out.push_back(old_lines[next++]);
      continue;
    }
    char tag = d[i][0];
    std::string body = d[i].substr(1);
    if (tag == ' ' || tag == '-') {
      EXPECT_EQ(old_lines.at(next), body);
      ++next;
    }
    if (tag == ' ' || tag == '+') out.push_back(body);
  }
  while (next < old_lines.size()) out.push_back(old_lines[next++]);
  std::string s;
  for (const auto& l : out) s += l + "\n";
  return s;
}

TEST(UnifiedDiff, EqualTextsHaveNoDiff) { EXPECT_EQ(unified_diff("a\nb\n", "a\nb\n", "x", "y"), ""); }

TEST(UnifiedDiff, OneChangeWithContext) {
  std::string a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n", b = "1\n2\n3\n4\nfive\n6\n7\n8\n9\n";
  EXPECT_EQ(unified_diff(a, b, "before p", "after p"),
            "--- before p\n+++ after p\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n");
}

TEST(UnifiedDiff, FarApartChangesAreSeparateHunks) {
  std::string a, b;
  for (int i = 0; i < 30; ++i) {
    a += std::to_string(i) + "\n";
    b += (i == 3 || i == 25 ? "x" : std::to_string(i)) + "\n";
  }
  std::string d = unified_diff(a, b, "a", "b");
  EXPECT_NE(d.find("@@ -1,7 +1,7 @@"), std::string::npos) << d;
  EXPECT_NE(d.find("@@ -23,7 +23,7 @@"), std::string::npos) << d;
}

TEST(UnifiedDiff, AppliesBackForRandomEdits) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> a;
    int n = static_cast<int>(rng() % 40);
    for (int i = 0; i < n; ++i) a.push_back("l" + std::to_string(rng() % 8));
    auto b = a;
    for (int e = static_cast<int>(rng() % 6); e > 0; --e) {
      size_t at = b.empty() ? 0 : rng() % (b.size() + 1);
      if (rng() % 2 && at < b.size())
        b.erase(b.begin() + at);
      else
        b.insert(b.begin() + at, "new" + std::to_string(rng() % 4));
    }
    std::string ta, tb;
    for (const auto& l : a) ta += l + "\n";
    for (const auto& l : b) tb += l + "\n";
    std::string d = unified_diff(ta, tb, "a", "b", static_cast<int>(rng() % 4));
    EXPECT_EQ(ta == tb ? ta : patch(ta, d), tb) << d;
  }
}

}  // namespace
}  // namespace lmc::passes
