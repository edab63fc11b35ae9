#include "models/tokenizer/tokenizer_byte_map.h"

#include <array>

namespace lmc::models {
namespace {

// Printable Latin-1 bytes stand for themselves; the rest take the characters from U+0100 on,
// in byte order.
bool stands_for_itself(uint32_t b) {
  return (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
}

const std::array<uint32_t, 256>& char_of_byte() {
  static const std::array<uint32_t, 256> table = [] {
    std::array<uint32_t, 256> t{};
    uint32_t next = 0x100;
    for (uint32_t b = 0; b < 256; ++b) t[b] = stands_for_itself(b) ? b : next++;
    return t;
  }();
  return table;
}

}  // namespace

uint32_t byte_to_char(uint8_t byte) { return char_of_byte()[byte]; }

std::optional<uint8_t> char_to_byte(uint32_t cp) {
  // Every mapped character is below U+0100 + 68 (the count of remapped bytes).
  static const std::array<int16_t, 0x144> byte_of_char = [] {
    std::array<int16_t, 0x144> t;
    t.fill(-1);
    for (uint32_t b = 0; b < 256; ++b) t[char_of_byte()[b]] = static_cast<int16_t>(b);
    return t;
  }();
  if (cp >= byte_of_char.size() || byte_of_char[cp] < 0) return std::nullopt;
  return static_cast<uint8_t>(byte_of_char[cp]);
}

}  // namespace lmc::models
