#include "structured/string_formats.h"

#include <map>
#include <string>

namespace lmc::structured {

namespace {

// Years 0001-9999 (Python's dates begin at year 1); leap years for February 29.
constexpr const char* kYear = "(000[1-9]|00[1-9]\\d|0[1-9]\\d\\d|[1-9]\\d\\d\\d)";
constexpr const char* kLeapYear = "(\\d\\d(0[48]|[2468][048]|[13579][26])|(0[48]|[2468][048]|[13579][26])00)";

std::string date() {
  const std::string y = kYear;
  return "(" + y + "-(0[13578]|1[02])-(0[1-9]|[12]\\d|3[01])|" + y + "-(0[469]|11)-(0[1-9]|[12]\\d|30)|" + y +
         "-02-(0[1-9]|1\\d|2[0-8])|" + kLeapYear + "-02-29)";
}

std::string time() { return "([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(\\.\\d{1,9})?(Z|[+\\-]([01]\\d|2[0-3]):[0-5]\\d)"; }

std::string hex(int n) { return "[0-9a-fA-F]{" + std::to_string(n) + "}"; }

std::string octet() { return "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)"; }

// Each text the grammars below write passes the validators clients run: Pydantic (with
// email-validator for EmailStr, its Url for HttpUrl, Python's ipaddress and datetime), and
// jsonschema's FormatChecker. So they are narrower than the RFCs: a domain is two to four
// labels of lower-case letters and digits, single hyphens inside, ending in a common
// top-level domain (never a numeric one like "1.2", a special-use one like ".test", or the
// "ab--" labels IDNA reserves), and the lengths stay within every limit (a local part of
// 64 bytes, a label of 63, an address of 254, a URL of 2083).
std::string local_part() {
  const std::string c = "[A-Za-z0-9!#%&'*+/=?\\^_`{|}~\\-]";
  return c + "(\\.?" + c + "){0,31}";
}

std::string domain() {
  const std::string label = "[a-z0-9](-?[a-z0-9]){0,30}";
  return "(" + label +
         "\\.){1,3}(com|net|org|edu|gov|io|co|ai|dev|app|info|biz|us|uk|de|fr|jp|ca|au|nl|es|it|ch|se|eu)";
}

// An http(s) URL: a domain, a port, a path of a few plain segments and a query of one
// key=value pair (counts kept small: the automaton's states multiply with them).
std::string uri() {
  const std::string word = "[A-Za-z0-9](-?[A-Za-z0-9_]){0,15}";
  return "https?://" + domain() + "(:[1-9]\\d{0,3})?(/" + word + "){0,4}/?(\\?[a-z0-9_]{1,8}=" + word + ")?";
}

// RFC 4291's text forms without an embedded IPv4 address, in lower case: eight groups, or
// fewer around one "::".
std::string ipv6() {
  const std::string h = "[0-9a-f]{1,4}";
  std::string forms = "(" + h + ":){7}" + h;
  for (int before = 0; before <= 7; ++before) {
    const int after = 7 - before;  // at most this many groups after the "::"
    const std::string head = before == 0 ? ":" : "(" + h + ":){" + std::to_string(before) + "}";
    forms += "|" + head + (after == 0 ? ":" : "(:|(:" + h + "){1," + std::to_string(after) + "})");
  }
  return "(" + forms + ")";
}

// One line a format: its name and its expression.
const std::map<std::string, std::string, std::less<>>& expressions() {
  static const std::map<std::string, std::string, std::less<>> table = {
      {"date", date()},
      {"time", time()},
      {"date-time", date() + "T" + time()},
      {"uuid", hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12)},
      {"ipv4", octet() + "(\\." + octet() + "){3}"},
      {"ipv6", ipv6()},
      {"email", local_part() + "@" + domain()},
      {"hostname", domain()},
      {"uri", uri()},
  };
  return table;
}

}  // namespace

std::shared_ptr<const ByteDfa> string_format(std::string_view name) {
  static const std::map<std::string, std::shared_ptr<const ByteDfa>, std::less<>> built = [] {
    std::map<std::string, std::shared_ptr<const ByteDfa>, std::less<>> out;
    for (const auto& [format, expression] : expressions()) out[format] = std::make_shared<const ByteDfa>(expression);
    return out;
  }();
  auto it = built.find(name);
  return it == built.end() ? nullptr : it->second;
}

std::shared_ptr<const ByteDfa> format_check(std::string_view name) {
  for (std::string_view narrowed : {"ipv6", "email", "hostname", "uri"})
    if (name == narrowed) return nullptr;
  return string_format(name);
}

}  // namespace lmc::structured
