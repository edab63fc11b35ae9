// llama.cpp's command-line options as a table (llama_options.def: every spelling of
// llama-cli's and llama-completion's, llama-server's and llama-bench's options, the ones that
// negate them, and how many values each takes), so that lmc's parser reads each of them as
// llama.cpp does: a spelling lmc's command has is honoured (or, for a flag with no meaning on
// a CPU, noted: FlagSpec::inert); a llama.cpp spelling it does not have is refused, naming the
// option — never split into a short flag and a value (`-co` as `-c o`).
#pragma once
#include <string>
#include <vector>

namespace lmc::tools {

// Which of llama.cpp's tools an lmc command stands for.
enum LlamaTool : unsigned { kNoLlamaTool = 0, kCli = 1, kServer = 2, kBench = 4 };

struct LlamaOption {
  std::vector<std::string> spellings;  // "-co", "--color"
  std::vector<std::string> negations;  // "-nocb", "--no-cont-batching"
  int values;                          // values it takes: 0 (a switch), 1, or 2
  unsigned tools;                      // LlamaTool bits
};

const std::vector<LlamaOption>& llama_options();
// "a|b|c" as {"a", "b", "c"}: the table's spellings, a flag's choices ("on|off|auto").
std::vector<std::string> split_bars(const std::string& s);
// The option `tool` spells `spelling` (or its negation), or null.
const LlamaOption* find_llama_option(const std::string& spelling, LlamaTool tool);

}  // namespace lmc::tools
