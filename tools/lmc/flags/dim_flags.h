// --dim SYM=N: the values of the symbols a graph's shapes use (T, L, C), for the commands
// that run a graph as IR text (lmc exec, lmc bench GRAPH.lir).
#pragma once
#include <string>
#include <vector>

#include "runtime/graph_runner.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

FlagSpec dim_flag_spec();
// The symbols' values the --dim flags give (comma-separated or repeated); 0 for those they
// leave out. Throws UsageError naming a bad item.
runtime::SymbolValues parse_dims(const std::vector<std::string>& flags);
// "T=64,L=1": the values given, in the order of ir::Sym.
std::string dims_text(const runtime::SymbolValues& dims);

}  // namespace lmc::tools
