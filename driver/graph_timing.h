// Two pipelines' compiles of one graph timed turn about (lmc bench GRAPH.lir
// --vs-pipeline), as lmc bench times two compiles of a model: A B A B, so that a drift of
// the machine falls on both alike. A graph run can take microseconds, shorter than the
// clock and the scheduler's noise, so each turn is a batch of runs about 20 ms long (the
// same count for both, found from one warm run of each), and its figure is rows a second:
// T rows of every run of the batch over the batch's time.
#pragma once
#include <cstdint>
#include <vector>

#include "driver/graph_run.h"

namespace lmc::driver {

struct GraphTurns {
  std::vector<double> a, b;  // rows a second, one per turn
};

// `runs` turns of each after a warm-up run of each; `rows`: the graph's T.
GraphTurns time_turn_about(GraphProgram& a, GraphProgram& b, int64_t rows, int runs);

}  // namespace lmc::driver
