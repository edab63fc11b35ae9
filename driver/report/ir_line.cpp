#include "driver/report/ir_line.h"

#include <sstream>

namespace lmc::report {

namespace {

std::string trimmed(const std::string& s) {
  const size_t b = s.find_first_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b);
}

}  // namespace

std::vector<std::string> defined_values(const std::string& line, bool diff_line) {
  std::string t = trimmed(diff_line && !line.empty() ? line.substr(1) : line);
  const size_t eq = t.find(" = ");
  if (t.empty() || t[0] != '%' || eq == std::string::npos) return {};
  std::vector<std::string> out;
  std::istringstream results(t.substr(0, eq));
  std::string name;
  while (std::getline(results, name, ',')) out.push_back(trimmed(name));
  return out;
}

}  // namespace lmc::report
