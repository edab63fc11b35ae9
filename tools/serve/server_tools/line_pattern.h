// grep_search's pattern: a PCRE2 regular expression (Perl's syntax, UTF-8, lines that are not
// UTF-8 still searched), or a literal string; case-insensitive on request. A pattern that
// backtracks without end gives up on the line (no match) rather than hold the server.
#pragma once
#include <memory>
#include <string>

namespace lmc::tools::server_tools {

class LinePattern {
 public:
  // Throws std::invalid_argument with PCRE2's message and offset when the pattern is not one.
  LinePattern(const std::string& pattern, bool literal, bool ignore_case);
  ~LinePattern();
  LinePattern(const LinePattern&) = delete;
  LinePattern& operator=(const LinePattern&) = delete;
  bool found_in(const std::string& line) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmc::tools::server_tools
