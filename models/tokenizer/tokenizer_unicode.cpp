#include "models/tokenizer/tokenizer_unicode.h"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

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

}  // namespace

Utf8Char utf8_at(std::string_view text, size_t pos) {
  // utf8proc_iterate accepts exactly RFC 3629's forms: no overlong form, surrogate or
  // code point past U+10FFFF.
  utf8proc_int32_t cp = 0;
  utf8proc_ssize_t n = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(text.data() + pos),
                                        static_cast<utf8proc_ssize_t>(text.size() - pos), &cp);
  if (n <= 0) return {kInvalidUtf8, 1};
  return {static_cast<uint32_t>(cp), static_cast<uint32_t>(n)};
}

void append_utf8(std::string& out, uint32_t cp) {
  utf8proc_uint8_t bytes[4];
  utf8proc_ssize_t n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), bytes);
  out.append(reinterpret_cast<const char*>(bytes), static_cast<size_t>(n));
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

std::string normalize(const std::string& form, std::string_view text) {
  if (form.empty()) return std::string(text);
  // utf8proc_map: compose (NFC), with compatibility mappings too for NFKC.
  int options = UTF8PROC_STABLE | UTF8PROC_COMPOSE | (form == "NFKC" ? UTF8PROC_COMPAT : 0);
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(text.data()),
                                    static_cast<utf8proc_ssize_t>(text.size()), &out, utf8proc_option_t(options));
  // Text that is not valid UTF-8 cannot be normalized; byte-level BPE still encodes its bytes.
  if (n < 0) return std::string(text);
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(out, &std::free);
  return std::string(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
}

}  // namespace lmc::models
