#include "ir/untrusted_text.h"

#include <cstdint>

namespace lmc {

namespace {

void append_hex(std::string& out, uint8_t b) {
  const char* digits = "0123456789abcdef";
  out += "\\x";
  out += digits[b >> 4];
  out += digits[b & 15];
}

}  // namespace

std::string printable(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<uint8_t>(s[i]);
    if (b == '\n') {
      out += "\\n";
    } else if (b == '\t') {
      out += "\\t";
    } else if (b < 0x20 || b == 0x7f) {
      append_hex(out, b);
    } else if (b == 0xc2 && i + 1 < s.size() && static_cast<uint8_t>(s[i + 1]) >= 0x80 &&
               static_cast<uint8_t>(s[i + 1]) <= 0x9f) {
      // U+0080..U+009F: C1 controls (U+009B is CSI), which UTF-8 terminals may obey.
      append_hex(out, b);
      append_hex(out, static_cast<uint8_t>(s[++i]));
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string excerpt(std::string_view s, size_t max) {
  if (s.size() <= max) return printable(s);
  // Back up to a UTF-8 lead byte so the cut never splits a character.
  size_t cut = max;
  while (cut > 0 && (static_cast<uint8_t>(s[cut]) & 0xc0) == 0x80) --cut;
  return printable(s.substr(0, cut)) + "... (" + std::to_string(s.size() - cut) + " more bytes)";
}

}  // namespace lmc
