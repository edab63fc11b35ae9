// lmc bench MODEL --vs-pipeline=B [--pipeline=A]: whether a pipeline pays against another
// on one model. Both are compiled from the model definition or weights; their first steps'
// logits are compared as lmc exec --against compares results (exit 1 when they disagree,
// untimed unless --allow-disagree); then they run turn about, A B A B, for the end-to-end
// figures, and profiled, for each kernel's time in both.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "driver/benchmark.h"
#include "tools/lmc/cli_args.h"

namespace lmc::tools {

// The flags only this mode reads.
std::vector<FlagSpec> pipeline_bench_flag_specs();

struct PipelineBench {
  std::vector<int64_t> threads;  // -t, one count
  int runs = 0;                  // -r: turns of each pipeline
  driver::SpeedTests tests;
  // Cuts `tests` to what the model's context holds (lmc bench's rule).
  std::function<void(driver::SpeedTests&, int64_t context)> fit;
  std::string format;  // "table" or "json"
};

int bench_pipelines(const Args& a, const std::string& model, PipelineBench b);

}  // namespace lmc::tools
