// What a compile report holds (driver/report/html_report.h draws it): the passes as they
// ran with their diffs, pictures and remarks, the kernels of the final graph, and, from a
// profiled run, each kernel's share of the step. Plain data: the pieces that fill it
// (PassRecorder, kernel_rows, profile_rows) and the page that shows it do not know each
// other.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include "passes/api/pass_context.h"

namespace lmc::report {

struct RemarkEntry {
  std::string pass;
  std::string value;    // "%v", or "@g" for the whole graph
  std::string op_line;  // the op defining the value, as printed ("" for the graph)
  std::string message;
};

// A Graphviz picture of the graph (one layer of it) as SVG text.
struct Picture {
  std::string caption;
  std::string svg;
};

struct PassStep {
  int index = 0;
  std::string name;
  bool changed = false;
  double seconds = 0;
  std::vector<std::string> stats;
  std::string diff;                // unified diff of the IR text; "" when unchanged
  std::vector<Picture> pictures;   // before and after, for a pass that changed the graph
  std::vector<RemarkEntry> remarks;
};

struct KernelRow {
  std::string symbol;
  std::string op;           // the op kind, "fusion(rms_norm, linear)" for a region
  std::string first_value;  // the first op's result ("%q_0")
  int64_t ops = 0;          // how many ops of the graph run it
  std::string shape;        // operand types -> result types
  std::string block_types;  // the block dtypes it reads ("q8_0x16"), "" for none
  int64_t instructions = -1;  // in its assembly; -1 when not generated here
  std::string assembly;       // its listing, "" when not generated here
  std::string llvm_ir;        // its optimized LLVM IR, "" when not generated here
  // The values it computes (a region's body values too) and the weights it reads: what a
  // remark about one of them concerns.
  std::vector<std::string> values = {};
};

struct ProfileRow {
  std::string symbol;
  std::string op;
  int64_t calls = 0;        // kernel calls over the steps measured
  double milliseconds = 0;  // their time summed
  double share = 0;         // of the steps' time, 0..1
};

// A remark of the compile beside the time of the kernel it concerns (a run's profile).
struct RankedRemark {
  std::string pass;
  std::string value;    // "%v", or "@g"
  std::string message;
  std::string kernel;   // "" when no kernel computes or reads the value
  double share = -1;    // the kernel's share of the step; -1 when not measured
  passes::RemarkKind kind = passes::RemarkKind::Passed;
};

// lmc bench --vs-pipeline: one figure (llama-bench's test name: "pp8", "tg4"; a graph's
// "T=64") of both pipelines, the rate of each turn in `unit` (higher is faster).
struct SpeedFigure {
  std::string test;
  std::vector<double> a, b;
  std::string unit = "tok/s";
};

// A kernel's time in a run (a prompt, then decode steps) of each pipeline; calls 0 where
// that pipeline has no such kernel (it fused the ops otherwise, or not at all).
struct KernelTimeRow {
  std::string symbol;
  std::string op;
  int64_t calls_a = 0, calls_b = 0;        // per run
  double ms_a = 0, ms_b = 0;               // per run, the mean of the runs
  std::vector<double> runs_a = {}, runs_b = {};  // the milliseconds of each run
  double p = 1;  // the rank test of runs_a against runs_b (rank_test.h)
};

struct PipelineComparison {
  std::string a, b;  // the pipelines, as given
  // The first step's logits of B against A's (lmc exec --against's comparison), or a
  // graph's results; `compared` says which ("the first step's logits (8 prompt rows)").
  std::string compared;
  int64_t agreement_tokens = 0;  // the prompt's rows; 0 for a graph
  double max_abs = 0, max_rel = 0, cosine = 1, tolerance = 0;
  bool agree = false;
  std::vector<SpeedFigure> speed;
  std::vector<KernelTimeRow> kernels;  // the least p first, then the largest |ms_b - ms_a|
  std::string kernel_note;             // what a run of the profile is
};

struct CompileReport {
  std::string title;     // the model or graph
  std::string command;   // what made it ("lmc compile gemma3.yaml ..."), with its pass flags
  // Every pass not built into lmc, with where it came from ("my-fusion: /p/my.pass:1:6",
  // a pass file's, or a plugin's), so the page says which pass files it ran.
  std::vector<std::string> loaded_passes;
  std::string pipeline;  // as it ran, in pipeline text
  std::string target;    // the kernels' target, when they were generated
  std::vector<PassStep> passes;
  std::vector<KernelRow> kernels;
  std::vector<ProfileRow> profile;
  std::string profile_note;  // which steps the profile covers
  std::vector<RankedRemark> ranked_remarks;  // the compile's, largest share first
  std::vector<Picture> layers;               // the compiled graph, one picture a layer
  std::optional<PipelineComparison> comparison;
};

}  // namespace lmc::report
