// lmc opt's test habits, as mlir-opt has them: --split-input-file cuts the input at
// `// -----` lines into graphs checked one by one, and --verify-diagnostics compares the
// diagnostics each one produces (errors, and the passes' remarks: tools/lmc/opt/diagnostic.h)
// with the comments that expect them, as MLIR's verifier does:
//
//   %y = add %x, %z : f32[T,8]   // expected-error {{not defined}}
//   %m = mul %a, %u : f32[T,8]   // expected-remark {{not fused: %a has other users}}
//   // expected-error@+1 {{...}}      the diagnostic is on the next line (@-N: N lines above)
//   // expected-remark@above {{...}}  on the nearest line above without a directive of its own
//   // expected-note@below {{...}}    on the nearest line below without one
//   // expected-error@unknown {{...}} one that names no line (a pass failing)
//   // expected-remark-re {{fused {{[0-9]+}} of {{.*}}}}   -re: {{...}} inside is a POSIX
//                                                          extended regex, the rest literal
//
// The kinds are error, warning, remark and note. An expectation is met by a diagnostic of
// its kind on its line whose message contains its text (for -re, where the regex matches);
// each diagnostic meets one expectation. Strict: every diagnostic must be expected, every
// expectation met, and a directive misspelt (`expected-eror`) or malformed is an error.
#pragma once
#include <string>
#include <vector>

#include "tools/lmc/opt/diagnostic.h"

namespace lmc::tools {

inline constexpr const char* kSplitMarker = "// -----";

struct InputPart {
  std::string text;
  int first_line = 1;  // of the whole input
  // The text behind as many empty lines as precede it, so errors name whole-file lines.
  std::string text_with_line_offset() const { return std::string(first_line - 1, '\n') + text; }
  // The line of its `graph @name(...)` header (of the whole input), or its first line.
  int graph_line() const;
};

std::vector<InputPart> split_input(const std::string& text, bool split);

// What is wrong, a "<source>:<line>[:<col>]: error: ..." line each: a directive unknown or
// malformed, an expectation no diagnostic met, a diagnostic no expectation met. Empty when
// the part's expectations and the diagnostics it `produced` agree.
std::vector<std::string> check_diagnostics(const InputPart& part, const std::string& source,
                                           const std::vector<Diagnostic>& produced);

}  // namespace lmc::tools
