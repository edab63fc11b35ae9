// Python's str semantics over UTF-8 (python_text.h).
#include "jinja/python_text.h"

#include <algorithm>
#include <cctype>

namespace lmc::jinja {

namespace {

size_t sequence_length(std::string_view s, size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  if (i + n > s.size()) return 1;
  for (size_t k = 1; k < n; ++k)
    if ((static_cast<unsigned char>(s[i + k]) >> 6) != 2) return 1;
  return n;
}

// Python's str.isspace() code points, UTF-8 encoded.
constexpr std::string_view kUnicodeSpaces[] = {
    "\xc2\x85",     "\xc2\xa0",     "\xe1\x9a\x80", "\xe2\x80\x80", "\xe2\x80\x81", "\xe2\x80\x82", "\xe2\x80\x83",
    "\xe2\x80\x84", "\xe2\x80\x85", "\xe2\x80\x86", "\xe2\x80\x87", "\xe2\x80\x88", "\xe2\x80\x89", "\xe2\x80\x8a",
    "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\xaf", "\xe2\x81\x9f", "\xe3\x80\x80"};

bool in_set(std::string_view ch, const std::optional<std::string>& chars) {
  if (!chars) return is_python_space(ch);
  for (size_t i = 0; i < chars->size();) {
    const size_t n = sequence_length(*chars, i);
    if (std::string_view(*chars).substr(i, n) == ch) return true;
    i += n;
  }
  return false;
}

bool is_cased_letter(unsigned char c) { return std::isalpha(c) != 0; }

uint32_t code_point(std::string_view ch) {
  const auto b = static_cast<unsigned char>(ch[0]);
  if (ch.size() == 1) return b;
  uint32_t cp = b & (0x7Fu >> ch.size());
  for (size_t k = 1; k < ch.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(ch[k]) & 0x3Fu);
  return cp;
}

bool is_word_char(uint32_t cp) {
  if (cp < 0x80) return std::isalnum(static_cast<int>(cp)) || cp == '_';
  if (cp < 0xC0)
    return cp == 0xAA || cp == 0xB2 || cp == 0xB3 || cp == 0xB5 || cp == 0xB9 || cp == 0xBA ||
           (cp >= 0xBC && cp <= 0xBE);
  if (cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // punctuation, symbols, arrows, dingbats
  if (cp >= 0x3000 && cp <= 0x3004) return false;  // CJK spaces and punctuation
  if (cp >= 0x3008 && cp <= 0x3020) return false;
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;  // fullwidth punctuation
  return !(cp >= 0x1F000 && cp <= 0x1FAFF);        // emoji and pictographs
}

}  // namespace

std::vector<size_t> char_cuts(std::string_view s) {
  std::vector<size_t> cuts;
  for (size_t i = 0; i < s.size(); i += sequence_length(s, i)) cuts.push_back(i);
  cuts.push_back(s.size());
  return cuts;
}

size_t char_length(std::string_view s) { return char_cuts(s).size() - 1; }

bool is_python_space(std::string_view ch) {
  if (ch.size() == 1) {
    const char c = ch[0];
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
  }
  return std::find(std::begin(kUnicodeSpaces), std::end(kUnicodeSpaces), ch) != std::end(kUnicodeSpaces);
}

std::string strip(std::string_view s, StripSide side, const std::optional<std::string>& chars) {
  const auto cuts = char_cuts(s);
  size_t first = 0, last = cuts.size() - 1;  // characters [first, last)
  auto ch = [&](size_t i) { return s.substr(cuts[i], cuts[i + 1] - cuts[i]); };
  if (side != StripSide::kRight)
    while (first < last && in_set(ch(first), chars)) ++first;
  if (side != StripSide::kLeft)
    while (last > first && in_set(ch(last - 1), chars)) --last;
  return std::string(s.substr(cuts[first], cuts[last] - cuts[first]));
}

std::vector<std::string> split(std::string_view s, const std::optional<std::string>& sep, int64_t maxsplit) {
  std::vector<std::string> parts;
  if (sep) {
    size_t start = 0;
    for (size_t at; (maxsplit < 0 || static_cast<int64_t>(parts.size()) < maxsplit) &&
                    (at = s.find(*sep, start)) != std::string_view::npos;) {
      parts.emplace_back(s.substr(start, at - start));
      start = at + sep->size();
    }
    parts.emplace_back(s.substr(start));
    return parts;
  }
  const auto cuts = char_cuts(s);
  auto space = [&](size_t i) { return is_python_space(s.substr(cuts[i], cuts[i + 1] - cuts[i])); };
  const size_t n = cuts.size() - 1;
  size_t i = 0;
  while (i < n) {
    while (i < n && space(i)) ++i;
    if (i == n) break;
    if (maxsplit >= 0 && static_cast<int64_t>(parts.size()) == maxsplit) {
      parts.push_back(strip(s.substr(cuts[i]), StripSide::kRight));
      break;
    }
    size_t j = i;
    while (j < n && !space(j)) ++j;
    parts.emplace_back(s.substr(cuts[i], cuts[j] - cuts[i]));
    i = j;
  }
  return parts;
}

std::string replace(std::string_view s, std::string_view from, std::string_view to, int64_t count) {
  std::string out;
  if (from.empty()) {  // Python inserts `to` around every character
    const auto cuts = char_cuts(s);
    int64_t done = 0;
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      if (count < 0 || done < count) out += to, ++done;
      out += s.substr(cuts[i], cuts[i + 1] - cuts[i]);
    }
    if (count < 0 || done < count) out += to;
    return out;
  }
  size_t start = 0;
  for (int64_t done = 0; count < 0 || done < count; ++done) {
    const size_t at = s.find(from, start);
    if (at == std::string_view::npos) break;
    out.append(s.substr(start, at - start)).append(to);
    start = at + from.size();
  }
  return out.append(s.substr(start));
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string capitalize(std::string_view s) {
  std::string out = lower(s);
  if (!out.empty()) out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
  return out;
}

std::string title(std::string_view s) {
  std::string out(s);
  bool previous_cased = false;
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    c = static_cast<char>(previous_cased ? std::tolower(u) : std::toupper(u));
    previous_cased = is_cased_letter(u);
  }
  return out;
}

int64_t word_count(std::string_view s) {
  const auto cuts = char_cuts(s);
  int64_t n = 0;
  bool in_word = false;
  for (size_t i = 0; i + 1 < cuts.size(); ++i) {
    const bool word = is_word_char(code_point(s.substr(cuts[i], cuts[i + 1] - cuts[i])));
    n += word && !in_word;
    in_word = word;
  }
  return n;
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace lmc::jinja
