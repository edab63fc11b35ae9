// GPT-2's reversible byte <-> character map: byte-level BPE vocabularies spell every byte
// as a printable character (space is "Ġ", newline "Ċ"), so tokens are valid UTF-8 strings.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

namespace lmc::models {

uint32_t byte_to_char(uint8_t byte);
std::optional<uint8_t> char_to_byte(uint32_t cp);

}  // namespace lmc::models
