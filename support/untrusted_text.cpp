#include "support/untrusted_text.h"

#include <cstdint>
#include <cstdio>

namespace lmc {

namespace {

std::string hex_escape(const char* fmt, unsigned v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string control_escape(unsigned char c) {
  switch (c) {
    case '\n':
      return "\\n";
    case '\t':
      return "\\t";
    case '\r':
      return "\\r";
    case 0x1b:
      return "\\e";
    default:
      return hex_escape("\\x%02x", c);
  }
}

// Length of the valid UTF-8 sequence at s[i] (2..4), or 0. Overlong forms and surrogates
// are invalid: a terminal might decode them to something else.
size_t utf8_length(std::string_view s, size_t i, unsigned& cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  size_t n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  cp = c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    unsigned char t = static_cast<unsigned char>(s[i + k]);
    if ((t & 0xc0) != 0x80) return 0;
    cp = cp << 6 | (t & 0x3f);
  }
  static const unsigned min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_cp[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  return n;
}

// printable()'s escapes; a backslash doubled when `backslashes`.
std::string escaped(std::string_view s, bool backslashes) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '\\' && backslashes) {
      out += "\\\\";
      ++i;
    } else if (c < 0x20 || c == 0x7f) {
      out += control_escape(c);
      ++i;
    } else if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
    } else if (unsigned cp = 0; size_t n = utf8_length(s, i, cp)) {
      out += cp <= 0x9f ? hex_escape("\\u%04x", cp) : std::string(s.substr(i, n));
      i += n;
    } else {
      out += hex_escape("\\x%02x", c);
      ++i;
    }
  }
  return out;
}

}  // namespace

std::string printable(std::string_view s) { return escaped(s, true); }

std::string terminal_safe(std::string_view s) { return escaped(s, false); }

std::string excerpt(std::string_view s, size_t max) {
  if (s.size() <= max) return printable(s);
  // Back up to a UTF-8 lead byte so the cut never splits a character.
  size_t cut = max;
  while (cut > 0 && (static_cast<uint8_t>(s[cut]) & 0xc0) == 0x80) --cut;
  return printable(s.substr(0, cut)) + "... (" + std::to_string(s.size() - cut) + " more bytes)";
}

std::string quoted_name(std::string_view name, size_t max) { return "'" + excerpt(name, max) + "'"; }

}  // namespace lmc
