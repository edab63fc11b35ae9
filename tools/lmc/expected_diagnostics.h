// lmc opt's test habits, as mlir-opt has them: --split-input-file cuts the input at
// `// -----` lines into graphs checked one by one, and --verify-diagnostics compares the
// error each one produces with the comments that expect it:
//
//   %y = add %x, %z : f32[T,8]   // expected-error {{not defined}}
//   // expected-error@+1 {{...}}    the error is on the next line (@-N: N lines above)
//   // expected-error@unknown {{...}}   an error that names no line (a pass failing)
//
// An expectation matches when the error names its line and contains its text.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace lmc::tools {

inline constexpr const char* kSplitMarker = "// -----";

struct InputPart {
  std::string text;
  int first_line = 1;  // of the whole input
  // The text behind as many empty lines as precede it, so errors name whole-file lines.
  std::string text_with_line_offset() const { return std::string(first_line - 1, '\n') + text; }
};

std::vector<InputPart> split_input(const std::string& text, bool split);

// What is wrong ("<source>:<line>: error: expected error ... was not produced", "unexpected
// error: ..."), empty when the part's expectations and its `error` agree.
std::vector<std::string> check_diagnostics(const InputPart& part, const std::string& source,
                                           const std::optional<std::string>& error);

}  // namespace lmc::tools
