// The globs of file_glob_search's and grep_search's include and exclude: `*` any run of
// characters but '/', `**` any run at all (`**/` any number of leading folders, none
// included), `?` one character but '/', `[abc]`, `[a-z]`, `[!x]` / `[^x]` one of a set (or
// not). Matched in time bounded by the pattern's and path's lengths, whatever the pattern.
#pragma once
#include <string>

namespace lmc::tools::server_tools {

bool glob_match(const std::string& pattern, const std::string& text);

// A listed entry's path (relative, '/'-separated) against an include or exclude: a pattern
// without '/' matches the entry's name at any depth; one with '/' the whole path, anchored
// at the searched folder when it begins with '/' or "**", else at any depth ("**/" before it).
bool path_glob_match(const std::string& pattern, const std::string& rel_path);

}  // namespace lmc::tools::server_tools
