// The commit lmc was built from (cmake/build_commit.cmake writes the definitions at build
// time): git's short hash, with "+" when the tree had changes, or "unknown"; and the number
// of commits leading to it. lmc bench reports them as llama-bench's build_commit and
// build_number, and --version prints them.
#pragma once

namespace lmc::tools {

const char* build_commit();
int build_number();

}  // namespace lmc::tools
