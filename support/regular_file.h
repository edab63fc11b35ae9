// Opening an input file that must be a regular file (weights, tokenizer, artifact, IR,
// model definition). open() on a FIFO blocks until a writer appears, and reading a device
// may never end, so the kind of file is checked with stat() before the open, and the open
// itself is non-blocking in case the path is swapped in between. It lives in ir/ because
// every layer reads input files and ir/ is the one they all share.
#pragma once
#include <string>

namespace lmc {

// A read-only descriptor (close-on-exec) of the regular file at `path`; the caller closes
// it. Throws lmc::Error "<path>: error: ..." for a missing file or any other kind of file.
int open_regular_file(const std::string& path);

// The whole regular file at `path`.
std::string read_regular_file(const std::string& path);

}  // namespace lmc
