// The little Unicode a tokenizer needs beyond its regexes: UTF-8 stepping, and Unicode
// normalization (utf8proc) for tokenizer.json's NFC and NFKC normalizers.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace lmc::models {

struct Utf8Char {
  uint32_t cp;    // kInvalidUtf8 for a byte that starts no valid sequence
  uint32_t size;  // bytes consumed, 1..4
};
inline constexpr uint32_t kInvalidUtf8 = 0xFFFFFFFF;

// The character starting at text[pos] (pos < text.size()). Malformed input steps one byte at a
// time, so every byte of any string belongs to exactly one character.
Utf8Char utf8_at(std::string_view text, size_t pos);

void append_utf8(std::string& out, uint32_t cp);

// Length of the longest prefix of `bytes` that does not end inside an unfinished character.
size_t utf8_complete_prefix(std::string_view bytes);

// The text in normalization form `form` ("NFC" or "NFKC"; "" leaves it as it is). Text that
// is not valid UTF-8 is returned unchanged.
std::string normalize(const std::string& form, std::string_view text);

}  // namespace lmc::models
