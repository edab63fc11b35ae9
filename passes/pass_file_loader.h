// Fusion passes as text files (passes/text/): `--load-pass-file=F` and the folder named by
// LMC_PASS_DIR register the pass each file states, as a plugin registers its passes, so that
// `lmc opt --list-passes` lists it and any pipeline may name it.
#pragma once
#include <string>
#include <vector>

namespace lmc::passes {

// Parses the file and registers its pass (once per file); throws lmc::Error
// "file:LINE:COL: error: ..." for a file that does not parse or a name already taken.
void load_pass_file(const std::string& path);
// The *.pass files of `dir`, sorted by name; throws lmc::Error naming a folder it cannot read.
std::vector<std::string> pass_files_in(const std::string& dir);

}  // namespace lmc::passes
