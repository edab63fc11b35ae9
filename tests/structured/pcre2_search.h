// A JSON schema `pattern` as the tests judge it: PCRE2 (as the schema validator reads it:
// UTF, JavaScript's \u escapes), found anywhere in the text. Shares nothing with
// structured/'s automaton, which the tests hold to it.
#pragma once
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace lmc::structured::testing {

class Pcre2Search {
 public:
  explicit Pcre2Search(std::string_view pattern) {
    int error = 0;
    PCRE2_SIZE offset = 0;
    code_.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF | PCRE2_ALT_BSUX,
                              &error, &offset, nullptr));
    if (!code_) throw std::invalid_argument("PCRE2 does not take the pattern " + std::string(pattern));
    data_.reset(pcre2_match_data_create_from_pattern(code_.get(), nullptr));
  }

  bool found(std::string_view text) const {
    return pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(text.data()), text.size(), 0, 0, data_.get(),
                       nullptr) >= 0;
  }

 private:
  struct FreeCode {
    void operator()(pcre2_code* c) const { pcre2_code_free(c); }
  };
  struct FreeData {
    void operator()(pcre2_match_data* d) const { pcre2_match_data_free(d); }
  };
  std::unique_ptr<pcre2_code, FreeCode> code_;
  std::unique_ptr<pcre2_match_data, FreeData> data_;
};

}  // namespace lmc::structured::testing
