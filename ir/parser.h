// Parses the text form (see ir/printer.h). Operands may name values defined later in
// the text, so that a cyclic or misordered graph parses and the verifier can say what
// is wrong with it. Errors: "<file>:<line>:<col>: error: <what>". `//` starts a comment.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "ir/graph.h"

namespace lmc::ir {

std::unique_ptr<Graph> parse(std::string_view text, const std::string& filename = "<input>");
std::unique_ptr<Graph> parse_file(const std::string& path);

}  // namespace lmc::ir
