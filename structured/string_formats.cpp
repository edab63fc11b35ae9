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

std::string atom() { return "[A-Za-z0-9!#%&'*+/=?\\^_`{|}~\\-]+"; }

std::string label() { return "[A-Za-z0-9]([A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?"; }

// One line a format: its name and its expression.
const std::map<std::string, std::string, std::less<>>& expressions() {
  static const std::map<std::string, std::string, std::less<>> table = {
      {"date", date()},
      {"time", time()},
      {"date-time", date() + "T" + time()},
      {"uuid", hex(8) + "-" + hex(4) + "-" + hex(4) + "-" + hex(4) + "-" + hex(12)},
      {"ipv4", octet() + "(\\." + octet() + "){3}"},
      {"email", atom() + "(\\." + atom() + ")*@" + label() + "(\\." + label() + ")+"},
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

}  // namespace lmc::structured
