#include "driver/report/html_text.h"

#include <cstdint>

namespace lmc::report {

namespace {

// The length of the valid UTF-8 sequence at s[i], or 0 when the bytes there are not one.
size_t utf8_length(std::string_view s, size_t i) {
  const auto b = static_cast<unsigned char>(s[i]);
  size_t n = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
  return n;
}

const char* entity(char c) {
  switch (c) {
    case '&':
      return "&amp;";
    case '<':
      return "&lt;";
    case '>':
      return "&gt;";
    case '"':
      return "&quot;";
    case '\'':
      return "&#39;";
    default:
      return nullptr;
  }
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    const size_t n = utf8_length(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    const char* e = n == 1 ? entity(text[i]) : nullptr;
    if (e)
      out += e;
    else
      out.append(text.substr(i, n));
    i += n;
  }
  return out;
}

std::string svg_data_uri(std::string_view svg) {
  static constexpr char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out = "data:image/svg+xml;base64,";
  out.reserve(out.size() + (svg.size() + 2) / 3 * 4);
  for (size_t i = 0; i < svg.size(); i += 3) {
    uint32_t v = static_cast<uint32_t>(static_cast<unsigned char>(svg[i])) << 16;
    if (i + 1 < svg.size()) v |= static_cast<uint32_t>(static_cast<unsigned char>(svg[i + 1])) << 8;
    if (i + 2 < svg.size()) v |= static_cast<unsigned char>(svg[i + 2]);
    out += kDigits[(v >> 18) & 63];
    out += kDigits[(v >> 12) & 63];
    out += i + 1 < svg.size() ? kDigits[(v >> 6) & 63] : '=';
    out += i + 2 < svg.size() ? kDigits[v & 63] : '=';
  }
  return out;
}

}  // namespace lmc::report
