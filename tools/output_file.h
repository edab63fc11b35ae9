// Writes a command's output file so that it is either complete or not there at all: the
// bytes go to "<path>.tmp.<pid>" beside it, renamed over `path` once written and removed
// on any failure, so an unwritable directory or a full disk leaves nothing half-written.
#pragma once
#include <string>
#include <string_view>

namespace lmc::tools {

// Throws lmc::Error "<path>: error: cannot write: <reason>".
void write_output_file(const std::string& path, std::string_view bytes);

}  // namespace lmc::tools
