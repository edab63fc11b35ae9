#include "passes/remark_filter.h"

#include "support/error.h"

namespace lmc::passes {

RemarkFilter::RemarkFilter(const std::string& pattern) {
  if (pattern.empty()) return;
  int rc = regcomp(&re_, pattern.c_str(), REG_EXTENDED | REG_NOSUB);
  if (rc != 0) {
    char why[256];
    regerror(rc, &re_, why, sizeof why);
    throw Error("--remarks-filter: not a regular expression: '" + pattern + "' (" + why + ")");
  }
  compiled_ = true;
}

RemarkFilter::~RemarkFilter() {
  if (compiled_) regfree(&re_);
}

bool RemarkFilter::matches(const std::string& line) const {
  return !compiled_ || regexec(&re_, line.c_str(), 0, nullptr, 0) == 0;
}

}  // namespace lmc::passes
