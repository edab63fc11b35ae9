// --remarks-filter: which remarks to print, by a POSIX extended regular expression over
// the remark's "pass: %value: message" line. POSIX regcomp rather than std::regex: libc
// has it, and GCC 12's <regex> trips -Wmaybe-uninitialized in the sanitizer build.
#pragma once
#include <regex.h>

#include <string>

namespace lmc::passes {

class RemarkFilter {
 public:
  // An empty pattern matches everything; a bad one throws lmc::Error naming it.
  explicit RemarkFilter(const std::string& pattern);
  ~RemarkFilter();
  RemarkFilter(const RemarkFilter&) = delete;
  RemarkFilter& operator=(const RemarkFilter&) = delete;

  bool matches(const std::string& line) const;

 private:
  bool compiled_ = false;
  regex_t re_{};
};

}  // namespace lmc::passes
