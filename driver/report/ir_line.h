// The values a line of printed IR defines: "%a, %b = split ..." defines %a and %b, a
// param or a graph's header none. How a report finds the op a remark is about, in a
// graph's text and in a diff's lines.
#pragma once
#include <string>
#include <vector>

namespace lmc::report {

// The names ("%a") `line` defines, leading spaces and a diff's +, - or space before them
// allowed when `diff_line`; empty for any other line.
std::vector<std::string> defined_values(const std::string& line, bool diff_line = false);

}  // namespace lmc::report
