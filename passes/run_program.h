// Runs an external program (Graphviz's dot for the .svg dumps) with an argument vector,
// never through a shell: a dump directory named `x';touch y'` is a file name, not a
// command. What it prints is caught whole, for lmc to write where its outputs go
// (support/pending_file.h), rather than the program writing a file of its own.
#pragma once
#include <string>
#include <vector>

namespace lmc::passes {

enum class ProgramResult { Ok, NotFound, Failed };

// Searches PATH for argv[0] (posix_spawnp), waits for it and reports how it went, and
// its exit status in `*status` when it ran (128 + N when signal N ended it). The program
// shares this process's environment, stdout and stderr.
ProgramResult run_program(const std::vector<std::string>& argv, int* status = nullptr);

struct ProgramOutput {
  ProgramResult result;
  std::string out;  // its standard output, whole (an anonymous file holds it meanwhile)
};
ProgramOutput program_output(const std::vector<std::string>& argv);

}  // namespace lmc::passes
