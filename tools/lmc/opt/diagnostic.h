// What lmc opt says about an input graph, as --verify-diagnostics compares it with the
// input's expectations: each diagnostic's severity, the input line it names, and its
// message. An error is read back from its text ("<file>:<line>[:<col>]: error: ...", and
// a "note:" or "warning:" line after it is a diagnostic of its own); a pass's remark names
// a value, so it stands on the input line that defines the value (the graph's line for a
// remark on the whole graph, or for an argument), and on no line when a pass made the value.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/api/pass_context.h"

namespace lmc::tools {

enum class Severity { Error, Warning, Remark, Note };

// "error", "warning", "remark", "note", and back (nullopt for any other word).
const char* severity_name(Severity s);
std::optional<Severity> severity_named(const std::string& name);

struct Diagnostic {
  Severity severity;
  std::optional<int> line;  // of the whole input; nullopt when it names none
  std::string message;      // without its place and severity
};

// The diagnostics in an lmc::Error's text, whose places name `source`.
std::vector<Diagnostic> error_diagnostics(const std::string& what, const std::string& source);

// Where the input defines each value of `g` (parsed from it, before any pass ran):
// value name -> line; "@<graph>" and the arguments -> `graph_line`.
std::map<std::string, int> definition_lines(const ir::Graph& g, int graph_line);

// The remarks as diagnostics, their message the line --remarks prints ("pass: %v: ...").
std::vector<Diagnostic> remark_diagnostics(const std::vector<passes::Remark>& remarks,
                                           const std::map<std::string, int>& lines);

}  // namespace lmc::tools
