// The graph an artifact carries, read and checked as `lmc run` and `lmc verify` need it:
// parsed, verified, and every param matched against the weight index (the executor reads
// each param's bytes as the IR types it, so a disagreement would read out of bounds).
#pragma once
#include <memory>

#include "ir/graph.h"
#include "runtime/artifact/artifact.h"

namespace lmc::driver {

// Throws lmc::Error "<path>:ir:<line>: error: ..." on the first problem.
std::unique_ptr<ir::Graph> read_artifact_graph(const runtime::Artifact& a);

}  // namespace lmc::driver
