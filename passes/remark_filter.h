// --remarks-filter: which remarks to print, by a POSIX extended regular expression over
// the remark's "pass: %value: message" line.
#pragma once
#include <memory>
#include <string>

#include "support/posix_regex.h"

namespace lmc::passes {

class RemarkFilter {
 public:
  // An empty pattern matches everything; a bad one throws lmc::Error naming it.
  explicit RemarkFilter(const std::string& pattern);

  bool matches(const std::string& line) const;

 private:
  std::unique_ptr<PosixRegex> re_;  // null: everything
};

}  // namespace lmc::passes
