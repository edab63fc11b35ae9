// Generated data behind char_class(): see tokenizer_unicode_table.cpp.
#pragma once
#include <cstdint>
#include <span>

#include "models/tokenizer_unicode.h"

namespace lmc::models {

struct CodepointRange {
  uint32_t first, last;
  CharClass cls;
};

std::span<const CodepointRange> letter_number_ranges();

}  // namespace lmc::models
