// Runs an external program (Graphviz's dot for the .svg dumps) with an argument vector,
// never through a shell: a dump directory named `x';touch y'` is a file name, not a
// command.
#pragma once
#include <string>
#include <vector>

namespace lmc::passes {

enum class ProgramResult { Ok, NotFound, Failed };

// Searches PATH for argv[0] (posix_spawnp), waits for it and reports how it went.
// The program shares this process's stdout and stderr.
ProgramResult run_program(const std::vector<std::string>& argv);

}  // namespace lmc::passes
