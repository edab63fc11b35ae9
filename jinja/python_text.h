// Python's str operations on UTF-8 text, by code point as Python counts them: length,
// slicing and indexing, strip/split with Python's whitespace, case changes (ASCII
// letters; others pass through unchanged), and HTML escaping as markupsafe does it.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lmc::jinja {

// The code points of s as byte ranges: s.substr(cuts[i], cuts[i+1] - cuts[i]) is the
// i-th character. A byte that starts no valid UTF-8 sequence counts as one character.
std::vector<size_t> char_cuts(std::string_view s);
size_t char_length(std::string_view s);
bool is_python_space(std::string_view ch);

enum class StripSide { kBoth, kLeft, kRight };
// s.strip(chars): without chars, Python's whitespace.
std::string strip(std::string_view s, StripSide side, const std::optional<std::string>& chars = std::nullopt);
// s.split(sep, maxsplit): without sep, runs of whitespace and no empty parts.
std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit);
std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count);
std::string upper(std::string_view s);
std::string lower(std::string_view s);
std::string capitalize(std::string_view s);
std::string title(std::string_view s);
std::string html_escape(std::string_view s);
// How many runs of word characters (Python's \w: letters, digits, "_") s holds. Outside
// ASCII and Latin-1, punctuation, symbol and CJK punctuation blocks count as non-word
// and every other character as a letter: lmc carries no Unicode category table.
int64_t word_count(std::string_view s);

}  // namespace lmc::jinja
