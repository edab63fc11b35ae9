#include "passes/remark_filter.h"

#include "support/error.h"

namespace lmc::passes {

RemarkFilter::RemarkFilter(const std::string& pattern) {
  if (pattern.empty()) return;
  try {
    re_ = std::make_unique<PosixRegex>(pattern);
  } catch (const Error& e) {
    throw Error(std::string("--remarks-filter: ") + e.what());
  }
}

bool RemarkFilter::matches(const std::string& line) const { return !re_ || re_->found_in(line); }

}  // namespace lmc::passes
