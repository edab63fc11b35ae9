// Runs a pipeline of passes with LLVM-style instrumentation: IR printed before/after
// passes, numbered dump files, verification after every pass that changed the graph,
// and a fingerprint check that a pass claiming "unchanged" did not change it. On any
// failure the failing IR is written out before the error propagates.
#pragma once
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace lmc::passes {

struct Instrumentation {
  bool print_before_all = false;
  bool print_after_all = false;
  std::set<std::string> print_before;
  std::set<std::string> print_after;
  bool print_after_change = false;
  std::string dump_dir;            // numbered NN-<pass>.before.lir / .after.lir
  bool dump_dot = false;           // also .dot (and .svg when Graphviz's dot is installed)
  bool time_passes = false;
  bool pass_stats = false;
  bool remarks = false;
  std::ostream* out = nullptr;     // where printing goes (stderr by default)
};

struct PassRecord {
  std::string name;
  bool changed;
  double seconds;
  std::vector<std::string> stats;
};

class PassManager {
 public:
  explicit PassManager(Instrumentation inst) : inst_(std::move(inst)) {}
  void add(std::unique_ptr<Pass> p) { passes_.push_back(std::move(p)); }
  void add_pipeline(const std::string& text);  // "a,b", "none", "default"
  // Runs every pass in order; throws lmc::Error on verification failure.
  void run(ir::Graph& g, PassContext& ctx);
  const std::vector<PassRecord>& records() const { return records_; }
  // A closing summary: the statistics of every pass that changed something.
  std::vector<std::string> summary() const;

 private:
  void print(const std::string& banner, const ir::Graph& g);
  void dump(const ir::Graph& g, int index, const std::string& pass, const char* when);
  [[noreturn]] void fail_with_ir(const ir::Graph& g, const std::string& pass, const std::string& what);

  Instrumentation inst_;
  std::vector<std::unique_ptr<Pass>> passes_;
  std::vector<PassRecord> records_;
};

}  // namespace lmc::passes
