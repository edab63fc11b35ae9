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
#include "driver/report/report_model.h"
#include "tools/lmc/flags/cli_args.h"
#include "tools/lmc/reports/compile_report.h"

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

// Pipeline A (--pipeline, else --passes, else default) and B (--vs-pipeline) into `c`, each
// read before anything is compiled, its errors naming its flag.
void read_pipelines(const Args& a, report::PipelineComparison& c);
// With --pass-stats, the line that heads the statistics of the pipeline compiled next
// ("[pass-stats] pipeline A (default,-fuse-qkv):"), on stderr where they go.
void say_pass_stats_of(const Args& a, const char* side, const std::string& pipeline);
// Prints `c` (a table, or JSON for -o json), writes the report (B's compile, `graph_b`) and
// returns the exit code: 1, saying so, when the pipelines disagreed and were not timed.
int finish_comparison(const report::PipelineComparison& c, const std::string& format, CompileReporter* reporter,
                      const std::string& title, const ir::Graph* graph_b, bool timed);

}  // namespace lmc::tools
