// "Did you mean": the closest of a list of known words to a misspelt one, so an error
// about an unknown pass, option or flag can name what the user probably meant.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace lmc {

// The candidate with the smallest edit distance to `word`, when that distance is small
// for the word's length (a third of it, at least 1 and at most 3); nullopt otherwise.
std::optional<std::string> closest_spelling(const std::string& word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "".
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace lmc
