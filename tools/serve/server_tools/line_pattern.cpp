#include "tools/serve/server_tools/line_pattern.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <stdexcept>

namespace lmc::tools::server_tools {

namespace {
constexpr uint32_t kMatchLimit = 1'000'000;  // backtracking steps a line may take
}

struct LinePattern::Impl {
  pcre2_code* code = nullptr;
  pcre2_match_context* context = nullptr;
  pcre2_match_data* data = nullptr;
  ~Impl() {
    pcre2_match_data_free(data);
    pcre2_match_context_free(context);
    pcre2_code_free(code);
  }
};

LinePattern::LinePattern(const std::string& pattern, bool literal, bool ignore_case) : impl_(std::make_unique<Impl>()) {
  uint32_t options = PCRE2_UTF | PCRE2_MATCH_INVALID_UTF;
  if (literal) options |= PCRE2_LITERAL;
  if (ignore_case) options |= PCRE2_CASELESS;
  int error = 0;
  PCRE2_SIZE offset = 0;
  impl_->code =
      pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), options, &error, &offset, nullptr);
  if (!impl_->code) {
    PCRE2_UCHAR message[256];
    pcre2_get_error_message(error, message, sizeof message);
    throw std::invalid_argument(std::string(reinterpret_cast<char*>(message)) + " at offset " + std::to_string(offset));
  }
  impl_->context = pcre2_match_context_create(nullptr);
  pcre2_set_match_limit(impl_->context, kMatchLimit);
  impl_->data = pcre2_match_data_create_from_pattern(impl_->code, nullptr);
}

LinePattern::~LinePattern() = default;

bool LinePattern::found_in(const std::string& line) const {
  return pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(line.data()), line.size(), 0, 0, impl_->data,
                     impl_->context) >= 0;
}

}  // namespace lmc::tools::server_tools
