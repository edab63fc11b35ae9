// The escapes llama.cpp reads in a prompt and in reverse prompts unless --no-escape: \n, \r,
// \t, \', \", \\ and \xHH (two hex digits); any other backslash stays as written, so a
// Windows path or a regex in a prompt keeps its backslashes.
#pragma once
#include <string>

namespace lmc::tools {

std::string process_escapes(const std::string& text);

}  // namespace lmc::tools
