#include "tools/lmc/opt/diagnostic.h"

#include <array>
#include <cctype>
#include <sstream>

namespace lmc::tools {

namespace {

constexpr std::array<Severity, 4> kSeverities{Severity::Error, Severity::Warning, Severity::Remark, Severity::Note};

// "<source>:<line>[:<col>]: " at the start of `text`: the line, and `at` moved past it.
std::optional<int> place(const std::string& text, const std::string& source, size_t& at) {
  if (text.rfind(source + ":", 0) != 0) return std::nullopt;
  size_t p = source.size() + 1, start = p;
  while (p < text.size() && std::isdigit(static_cast<unsigned char>(text[p]))) ++p;
  if (p == start || p - start > 9 || p >= text.size() || text[p] != ':') return std::nullopt;
  int line = std::stoi(text.substr(start, p - start));
  ++p;
  size_t col = p;
  while (p < text.size() && std::isdigit(static_cast<unsigned char>(text[p]))) ++p;
  if (p > col && p < text.size() && text[p] == ':')
    ++p;  // the column
  else
    p = col;
  if (p < text.size() && text[p] == ' ') ++p;
  at = p;
  return line;
}

// A line that starts a diagnostic: "[<source>:<line>[:<col>]: ]<severity>: <message>".
std::optional<Diagnostic> diagnostic_line(const std::string& text, const std::string& source) {
  size_t at = 0;
  std::optional<int> line = place(text, source, at);
  size_t colon = text.find(": ", at);
  if (colon == std::string::npos) return std::nullopt;
  if (auto s = severity_named(text.substr(at, colon - at))) return Diagnostic{*s, line, text.substr(colon + 2)};
  return std::nullopt;
}

}  // namespace

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Error:
      return "error";
    case Severity::Warning:
      return "warning";
    case Severity::Remark:
      return "remark";
    case Severity::Note:
      return "note";
  }
  return "error";
}

std::optional<Severity> severity_named(const std::string& name) {
  for (Severity s : kSeverities)
    if (name == severity_name(s)) return s;
  return std::nullopt;
}

std::vector<Diagnostic> error_diagnostics(const std::string& what, const std::string& source) {
  std::vector<Diagnostic> out;
  std::istringstream in(what);
  for (std::string text; std::getline(in, text);) {
    if (auto d = diagnostic_line(text, source); d && (out.empty() || d->severity != Severity::Error)) {
      out.push_back(*d);
    } else if (out.empty()) {
      out.push_back({Severity::Error, std::nullopt, text});  // an error that names no place
    } else {
      out.back().message += "\n" + text;  // the error's text goes on
    }
  }
  if (out.empty()) out.push_back({Severity::Error, std::nullopt, what});
  return out;
}

std::map<std::string, int> definition_lines(const ir::Graph& g, int graph_line) {
  std::map<std::string, int> lines{{"@" + g.name(), graph_line}};
  for (const auto& a : g.args()) lines.emplace(a->name(), graph_line);
  for (const auto& op : g.ops())
    for (size_t i = 0; i < op->num_results(); ++i) lines.emplace(op->result(i)->name(), op->line());
  return lines;
}

std::vector<Diagnostic> remark_diagnostics(const std::vector<passes::Remark>& remarks,
                                           const std::map<std::string, int>& lines) {
  std::vector<Diagnostic> out;
  for (const auto& r : remarks) {
    auto it = lines.find(r.where);
    out.push_back({Severity::Remark, it == lines.end() ? std::nullopt : std::optional<int>(it->second), r.text()});
  }
  return out;
}

}  // namespace lmc::tools
