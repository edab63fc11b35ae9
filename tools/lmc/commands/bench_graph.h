// lmc bench GRAPH.lir --dim T=64 --vs-pipeline=B [--pipeline=A]: whether a pipeline pays
// against another on a graph as IR text, so that a fusion whose pattern no shipped model
// has can be measured. The graph is compiled with both pipelines and run on the same
// seeded arguments and params as lmc exec runs it (--seed, --weights); their results are
// compared as lmc exec --against compares them (exit 1 when they disagree, untimed unless
// --allow-disagree); then they run turn about, A B A B (driver/graph_timing.h), and the
// figure is rows a second at the dims given, with its spread, the ratio and the rank test.
#pragma once
#include <string>

#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

// The flags only this mode reads (--dim, --seed).
std::vector<FlagSpec> graph_bench_flag_specs();

int bench_graph(const Args& a, const std::string& path, int threads, int runs, const std::string& format);

}  // namespace lmc::tools
