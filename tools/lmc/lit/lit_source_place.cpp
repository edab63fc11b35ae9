#include "tools/lmc/lit/lit_source_place.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <optional>

namespace lmc::tools {

namespace {

struct Roots {
  std::string source, exec;  // each ending in '/'
};

std::optional<Roots> lit_roots() {
  const char* v = std::getenv("LMC_LIT_ROOTS");
  if (!v || !*v) return std::nullopt;
  const std::string s = v;
  const size_t colon = s.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == s.size()) return std::nullopt;
  return Roots{s.substr(0, colon) + "/", s.substr(colon + 1) + "/"};
}

// The line of `test` holding split-file's marker of `part` ("//--- part" or "#--- part"),
// or 0.
int marker_line(const std::string& test, const std::string& part) {
  std::ifstream in(test);
  int n = 0;
  for (std::string line; std::getline(in, line);) {
    ++n;
    const size_t dashes = line.find("--- ");
    if (dashes == std::string::npos || dashes > 2) continue;
    const std::string lead = line.substr(0, dashes);
    if ((lead.size() == 1 || lead == "//") && line.substr(dashes + 4) == part) return n;
  }
  return 0;
}

// "<folder>/Output/<test>.tmp/<part>" (relative to the exec root) as the test file and the
// part's name; nullopt for any other path.
std::optional<std::pair<std::string, std::string>> test_and_part(const std::string& relative) {
  const size_t tmp = relative.find(".tmp/");
  if (tmp == std::string::npos) return std::nullopt;
  const std::string part = relative.substr(tmp + 5);
  const std::string before = relative.substr(0, tmp);  // <folder>/Output/<test>
  const size_t output = before.rfind("Output/");
  if (part.empty() || part.find('/') != std::string::npos || output == std::string::npos ||
      (output > 0 && before[output - 1] != '/'))
    return std::nullopt;
  return std::make_pair(before.substr(0, output) + before.substr(output + 7), part);
}

// " (lit test: <test file>:<line>)" for the first part's place `line` names; "" for none.
std::string test_place(const std::string& line, const Roots& roots) {
  for (size_t p = line.find(roots.exec); p != std::string::npos; p = line.find(roots.exec, p + 1)) {
    const size_t colon = line.find(':', p);
    if (colon == std::string::npos) return "";
    size_t digits = colon + 1;
    while (digits < line.size() && std::isdigit(static_cast<unsigned char>(line[digits]))) ++digits;
    if (digits == colon + 1 || digits - colon - 1 > 9) continue;
    const auto place = test_and_part(line.substr(p + roots.exec.size(), colon - p - roots.exec.size()));
    const int marker = place ? marker_line(roots.source + place->first, place->second) : 0;
    if (marker)
      return " (lit test: " + roots.source + place->first + ":" +
             std::to_string(marker + std::stoi(line.substr(colon + 1, digits - colon - 1))) + ")";
  }
  return "";
}

}  // namespace

std::string lit_source_places(const std::string& text) {
  const std::optional<Roots> roots = lit_roots();
  if (!roots) return text;
  std::string out;
  for (size_t b = 0; b < text.size();) {
    const size_t e = std::min(text.find('\n', b), text.size());
    const std::string line = text.substr(b, e - b);
    out += line + test_place(line, *roots) + text.substr(e, 1);
    b = e + 1;
  }
  return out;
}

}  // namespace lmc::tools
