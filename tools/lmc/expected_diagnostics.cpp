#include "tools/lmc/expected_diagnostics.h"

#include <cctype>
#include <sstream>

namespace lmc::tools {

namespace {

struct Expectation {
  std::optional<int> line;  // nullopt: @unknown
  std::string text;
  int written_at;           // the comment's own line
};

bool is_split_marker(const std::string& line) {
  auto end = line.find_last_not_of(" \t\r");
  return line.substr(0, end == std::string::npos ? 0 : end + 1) == kSplitMarker;
}

// `// expected-error[@+N|@-N|@unknown] {{text}}` on line `line_no`, or nullopt.
std::optional<Expectation> expectation_in(const std::string& line, int line_no) {
  const std::string tag = "expected-error";
  size_t comment = line.find("//"), at = line.find(tag);
  if (comment == std::string::npos || at == std::string::npos || at < comment) return std::nullopt;
  size_t p = at + tag.size();
  Expectation e{line_no, "", line_no};
  if (p < line.size() && line[p] == '@') {
    size_t end = line.find_first_of(" \t{", p);
    std::string where = line.substr(p + 1, end == std::string::npos ? std::string::npos : end - p - 1);
    bool offset = where.size() > 1 && (where[0] == '+' || where[0] == '-') &&
                  where.find_first_not_of("0123456789", 1) == std::string::npos;
    if (where == "unknown")
      e.line = std::nullopt;
    else if (offset)
      e.line = line_no + std::stoi(where);
    else
      return std::nullopt;
    p = end == std::string::npos ? line.size() : end;
  }
  size_t open = line.find("{{", p), close = open == std::string::npos ? open : line.find("}}", open + 2);
  if (close == std::string::npos || line.find_first_not_of(" \t", p) != open) return std::nullopt;
  e.text = line.substr(open + 2, close - open - 2);
  return e;
}

std::vector<Expectation> expectations(const InputPart& part) {
  std::vector<Expectation> out;
  std::istringstream in(part.text);
  int line_no = part.first_line;
  for (std::string line; std::getline(in, line); ++line_no)
    if (auto e = expectation_in(line, line_no)) out.push_back(*e);
  return out;
}

// The line an error names: "<source>:<line>[:<col>]: error: ...", or nullopt.
std::optional<int> error_line(const std::string& error, const std::string& source) {
  if (error.rfind(source + ":", 0) != 0) return std::nullopt;
  size_t p = source.size() + 1, start = p;
  while (p < error.size() && std::isdigit(static_cast<unsigned char>(error[p]))) ++p;
  if (p == start || p >= error.size() || error[p] != ':') return std::nullopt;
  return std::stoi(error.substr(start, p - start));
}

}  // namespace

std::vector<InputPart> split_input(const std::string& text, bool split) {
  if (!split) return {{text, 1}};
  std::vector<InputPart> parts(1);
  std::istringstream in(text);
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    if (is_split_marker(line)) {
      parts.push_back({"", line_no + 1});
      continue;
    }
    parts.back().text += line + "\n";
  }
  return parts;
}

std::vector<std::string> check_diagnostics(const InputPart& part, const std::string& source,
                                           const std::optional<std::string>& error) {
  std::vector<std::string> problems;
  auto expected = expectations(part);
  std::optional<int> line = error ? error_line(*error, source) : std::nullopt;
  bool matched = false;
  for (const auto& e : expected) {
    bool hit = error && !matched && e.line == line && error->find(e.text) != std::string::npos;
    matched = matched || hit;
    if (!hit)
      problems.push_back(source + ":" + std::to_string(e.written_at) + ": error: expected error " +
                         (e.line ? "on line " + std::to_string(*e.line) : std::string("@unknown")) + " {{" + e.text +
                         "}} was not produced");
  }
  if (error && !matched) problems.push_back("unexpected error: " + *error);
  return problems;
}

}  // namespace lmc::tools
