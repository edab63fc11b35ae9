#include "models/tokenizer_unicode.h"

#include "models/tokenizer_unicode_table.h"

namespace lmc::models {
namespace {

uint32_t sequence_length(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;  // continuation byte, or a lead that can only start an overlong / out-of-range form
}

bool is_continuation(uint8_t b) { return (b & 0xC0) == 0x80; }

bool is_white_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

}  // namespace

CharClass char_class(uint32_t cp) {
  if (is_white_space(cp)) return CharClass::Space;
  const auto& table = letter_number_ranges();
  size_t lo = 0, hi = table.size();
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (table[mid].last < cp) lo = mid + 1;
    else hi = mid;
  }
  if (lo < table.size() && table[lo].first <= cp) return table[lo].cls;
  return CharClass::Other;
}

Utf8Char utf8_at(std::string_view text, size_t pos) {
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  uint32_t n = sequence_length(byte(pos));
  if (n == 0 || pos + n > text.size()) return {kInvalidUtf8, 1};
  if (n == 1) return {byte(pos), 1};
  uint32_t cp = byte(pos) & (0x7F >> n);
  for (uint32_t i = 1; i < n; ++i) {
    if (!is_continuation(byte(pos + i))) return {kInvalidUtf8, 1};
    cp = (cp << 6) | (byte(pos + i) & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
  if (cp < kMin[n] || cp > 0x10FFFF || surrogate) return {kInvalidUtf8, 1};
  return {cp, n};
}

void append_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

size_t utf8_complete_prefix(std::string_view bytes) {
  // Only the last three bytes can belong to an unfinished character.
  size_t n = bytes.size();
  for (size_t back = 1; back <= 3 && back <= n; ++back) {
    uint8_t b = static_cast<uint8_t>(bytes[n - back]);
    if (is_continuation(b)) continue;
    uint32_t need = sequence_length(b);
    return need > back ? n - back : n;
  }
  return n;
}

}  // namespace lmc::models
