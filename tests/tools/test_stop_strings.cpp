// --stop against a plain reference: cut the whole text at the first stop string.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tools/lmc/generation/stop_strings.h"

namespace lmc::tools {
namespace {

std::string reference(const std::string& text, const std::vector<std::string>& stops) {
  size_t cut = text.size();
  for (const auto& s : stops) cut = std::min(cut, text.find(s));
  return text.substr(0, cut);
}

// Streams `text` in pieces of `step` bytes; returns what was shown and whether it stopped.
std::pair<std::string, bool> stream(const std::string& text, const std::vector<std::string>& stops, size_t step) {
  StopStrings s(stops);
  std::string shown;
  for (size_t i = 0; i < text.size() && !s.stopped(); i += step) shown += s.push(text.substr(i, step));
  shown += s.flush();
  return {shown, s.stopped()};
}

TEST(StopStrings, ShowsExactlyTheTextBeforeTheFirstStop) {
  const std::vector<std::vector<std::string>> stop_sets = {{"\n\n"}, {"Paris", "is"}, {"abcab"}, {"zzz"}, {}};
  const std::vector<std::string> texts = {
      "The capital is Paris.\n\nNext", "ababcabcab", "no stop here", "", "is at the start", "abcabcab"};
  for (const auto& stops : stop_sets)
    for (const auto& text : texts)
      for (size_t step : {1u, 2u, 3u, 7u, 100u}) {
        auto [shown, stopped] = stream(text, stops, step);
        EXPECT_EQ(shown, reference(text, stops)) << "text '" << text << "' step " << step;
        EXPECT_EQ(stopped, reference(text, stops).size() < text.size());
      }
}

TEST(StopStrings, HoldsBackOnlyWhatMayStartAStop) {
  StopStrings s({"END"});
  EXPECT_EQ(s.push("abc E"), "abc ");
  EXPECT_EQ(s.push("N"), "");
  EXPECT_EQ(s.push("x"), "ENx");
  EXPECT_EQ(s.push("EN"), "");
  EXPECT_EQ(s.push("D and more"), "");
  EXPECT_TRUE(s.stopped());
  EXPECT_EQ(s.flush(), "");
}

}  // namespace
}  // namespace lmc::tools
