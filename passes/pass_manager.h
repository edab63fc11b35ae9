// Runs a pipeline of passes with LLVM-style instrumentation: IR printed before/after
// passes or as it changes (whole, or as a unified diff), numbered dump files, a log of
// what ran (--debug-pass-manager), a bisect limit on pass applications, verification
// after every pass that changed the graph, and a fingerprint check that a pass claiming
// "unchanged" did not change it. On any failure the failing IR is written out before the
// error propagates.
#pragma once
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "ir/dot_writer.h"
#include "ir/graph.h"
#include "passes/api/pass.h"
#include "passes/pass_observer.h"
#include "passes/pipeline.h"
#include "passes/remark_filter.h"

namespace lmc::runtime {
class DumpFolder;
}

namespace lmc::passes {

enum class PrintChanged { Off, Full, Diff, Quiet, DiffQuiet };

struct Instrumentation {
  bool print_before_all = false;
  bool print_after_all = false;
  std::set<std::string> print_before;
  std::set<std::string> print_after;
  bool print_after_change = false;
  PrintChanged print_changed = PrintChanged::Off;
  bool debug_pass_manager = false;
  bool dump_pipeline = false;      // the pipeline's text before it runs (mlir-opt's --dump-pass-pipeline)
  int64_t bisect_limit = -1;       // run only the first N (skippable) pass applications; -1: all
  std::string dump_dir;            // numbered NN-<pass>.before.lir / .after.lir
  bool dump_dot = false;           // also .dot (and .svg when Graphviz's dot is installed)
  ir::DotOptions dot;              // how the .dot pictures are drawn
  bool time_passes = false;
  bool pass_stats = false;
  bool remarks = false;
  std::string remarks_filter;      // POSIX extended regex over "pass: %value: message"; implies remarks
  std::ostream* out = nullptr;     // where printing goes (stderr by default)
  PassObserver* observer = nullptr;  // told of every pass and the remarks (the compile report)
};

struct PassRecord {
  std::string name;
  bool changed;
  double seconds;
  std::vector<std::string> stats;
};

class PassManager {
 public:
  explicit PassManager(Instrumentation inst);
  void add(std::unique_ptr<Pass> p, bool required = false);
  // Parses pipeline text (passes/pipeline.h). An option not given in the text takes its
  // value from `flags` (option flag -> value: the command line, the model definition).
  void add_pipeline(const std::string& text, const OptionValues& flags = {});
  // Appends the passes of `text` as required ones (never skipped by the bisect limit)
  // unless the pipeline already ends with them.
  void ensure_suffix(const std::string& text, const OptionValues& flags = {});
  // The pipeline that runs (after run(): that ran) in canonical pipeline text, with every
  // option that differs from its default.
  std::string pipeline_text() const;
  // Counts `p`'s candidates at every point of the pipeline without running it
  // (passes/placement.h), taking it out of the pipeline added so far when it is in it;
  // placement() says what was found after run().
  void explain_placement(std::unique_ptr<Pass> p);
  const std::string& placement() const { return placement_; }
  // Runs every pass in order; throws lmc::Error on verification failure.
  void run(ir::Graph& g, PassContext& ctx);
  const std::vector<PassRecord>& records() const { return records_; }
  // A closing summary: the statistics of every pass that changed something.
  std::vector<std::string> summary() const;

 private:
  struct Slot {
    std::unique_ptr<Pass> pass;
    bool required;
    bool skipped = false;
  };
  std::ostream& os() const;
  bool bisect_allows(Slot& s);
  // Whether the pass changed the graph.
  bool run_one(Slot& s, int index, ir::Graph& g, PassContext& ctx);
  void print(const std::string& banner, const ir::Graph& g);
  void print_change(const std::string& pass, bool changed, const std::string& before, const std::string& after);
  // `before`: the text of the graph the pass started from, when it changed the graph.
  void dump(const ir::Graph& g, int index, const std::string& pass, const char* when,
            const std::string* before = nullptr);
  void report(const PassContext& ctx) const;
  [[noreturn]] void fail_with_ir(const ir::Graph& g, const std::string& pass, const std::string& what);
  // The folder (or stream) dumps go to, opened once: a FIFO read by another program sees
  // one stream of every dump, not one per file.
  runtime::DumpFolder& dump_folder(const std::string& path);

  Instrumentation inst_;
  std::vector<Slot> passes_;
  std::vector<std::unique_ptr<Pass>> explained_;
  std::string placement_;
  std::vector<PassRecord> records_;
  int64_t applications_ = 0;
  RemarkFilter remarks_filter_;
  std::shared_ptr<runtime::DumpFolder> dumps_;
};

}  // namespace lmc::passes
