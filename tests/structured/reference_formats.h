// JSON schema's formats as the tests judge them, written from the RFCs' grammar and sharing
// nothing with structured/string_formats: a full-date (RFC 3339, with the days of each month
// and the Gregorian leap years, from year 1), a full-time (seconds to 59, a fraction, Z or
// an offset), a date-time, a UUID's 8-4-4-4-12 hex digits, a dotted IPv4 address without
// leading zeros, and an e-mail address with one '@' between non-empty parts.
#pragma once
#include <cctype>
#include <string>
#include <string_view>

namespace lmc::structured::testing {

inline bool digits_at(std::string_view s, size_t from, size_t n, int& value) {
  if (s.size() < from + n) return false;
  value = 0;
  for (size_t i = from; i < from + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    value = value * 10 + (s[i] - '0');
  }
  return true;
}

inline bool full_date(std::string_view s) {
  int y = 0, m = 0, d = 0;
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !digits_at(s, 0, 4, y) || !digits_at(s, 5, 2, m) ||
      !digits_at(s, 8, 2, d))
    return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  const int days[] = {31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= days[m - 1];
}

inline bool full_time(std::string_view s) {
  int h = 0, m = 0, sec = 0;
  if (s.size() < 9 || s[2] != ':' || s[5] != ':' || !digits_at(s, 0, 2, h) || !digits_at(s, 3, 2, m) ||
      !digits_at(s, 6, 2, sec) || h > 23 || m > 59 || sec > 59)
    return false;
  size_t i = 8;
  if (s[i] == '.') {
    const size_t start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return false;
  }
  std::string_view zone = s.substr(i);
  int oh = 0, om = 0;
  return zone == "Z" || (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
                         digits_at(zone, 1, 2, oh) && digits_at(zone, 4, 2, om) && oh <= 23 && om <= 59);
}

inline bool uuid_text(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (i == 8 || i == 13 || i == 18 || i == 23 ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i])))
      return false;
  return true;
}

inline bool ipv4_text(std::string_view s) {
  for (int part = 0; part < 4; ++part) {
    size_t n = 0;
    int value = 0;
    while (n < s.size() && n < 4 && std::isdigit(static_cast<unsigned char>(s[n]))) value = value * 10 + (s[n++] - '0');
    if (n == 0 || n > 3 || value > 255 || (n > 1 && s[0] == '0')) return false;
    s.remove_prefix(n);
    if (part < 3) {
      if (s.empty() || s[0] != '.') return false;
      s.remove_prefix(1);
    }
  }
  return s.empty();
}

inline bool format_valid(const std::string& format, std::string_view s) {
  if (format == "date") return full_date(s);
  if (format == "time") return full_time(s);
  if (format == "date-time") {
    const size_t t = s.find('T');
    return t != std::string_view::npos && full_date(s.substr(0, t)) && full_time(s.substr(t + 1));
  }
  if (format == "uuid") return uuid_text(s);
  if (format == "ipv4") return ipv4_text(s);
  if (format == "email") {
    const size_t at = s.find('@');
    return at != std::string_view::npos && at > 0 && at + 1 < s.size() && s.find('@', at + 1) == std::string_view::npos;
  }
  return true;  // an annotation
}

}  // namespace lmc::structured::testing
