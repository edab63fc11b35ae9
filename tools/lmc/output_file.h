// Writes a command's output file so that it is either complete or not there at all
// (runtime::PendingFile): an unwritable directory, a full disk or Ctrl-C leaves nothing
// half-written.
#pragma once
#include <string>
#include <string_view>

namespace lmc::tools {

// Throws lmc::Error "<path>: error: cannot write: <reason>".
void write_output_file(const std::string& path, std::string_view bytes);

}  // namespace lmc::tools
