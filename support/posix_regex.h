// A POSIX extended regular expression, searched for in a line of text: what
// --remarks-filter and --verify-diagnostics' `-re` expectations match with (MLIR's
// verifier matches with llvm::Regex, POSIX extended too). regcomp rather than std::regex:
// libc has it, and GCC 12's <regex> trips -Wmaybe-uninitialized in the sanitizer build.
#pragma once
#include <regex.h>

#include <string>

namespace lmc {

class PosixRegex {
 public:
  // Throws lmc::Error "not a regular expression: '<pattern>' (<why>)".
  explicit PosixRegex(const std::string& pattern);
  ~PosixRegex();
  PosixRegex(const PosixRegex&) = delete;
  PosixRegex& operator=(const PosixRegex&) = delete;

  // Whether the expression matches somewhere in `text`.
  bool found_in(const std::string& text) const;

 private:
  regex_t re_{};
};

}  // namespace lmc
