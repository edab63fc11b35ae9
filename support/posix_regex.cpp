#include "support/posix_regex.h"

#include "support/error.h"

namespace lmc {

PosixRegex::PosixRegex(const std::string& pattern) {
  int rc = regcomp(&re_, pattern.c_str(), REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char why[256];
    regerror(rc, &re_, why, sizeof why);
    throw Error("not a regular expression: '" + pattern + "' (" + why + ")");
  }
}

PosixRegex::~PosixRegex() { regfree(&re_); }

bool PosixRegex::found_in(const std::string& text) const { return regexec(&re_, text.c_str(), 0, nullptr, 0) == 0; }

}  // namespace lmc
