// --report=FILE for lmc compile, opt and exec: the compile report (driver/report/) of what
// the command compiled. The file is opened when the command starts, so a bad path fails
// before any work; the recorder watches the pass manager; the page is written when the
// command has its final graph (and, for a compile, its kernels' assembly).
#pragma once
#include <memory>
#include <optional>
#include <string>

#include "codegen/compile_options.h"
#include "driver/report/assembly_listings.h"
#include "driver/report/kernel_rows.h"
#include "driver/report/pass_recorder.h"
#include "driver/report/report_file.h"
#include "ir/graph.h"
#include "passes/pass_manager.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

FlagSpec report_flag_spec();

class CompileReporter {
 public:
  // nullptr without --report. The page's command is the whole command line, every word
  // quoted for a shell, after the LMC_* variables of the environment that change what is
  // compiled: pasted into a shell it compiles the same pipeline again.
  static std::unique_ptr<CompileReporter> open(const Args& a);
  explicit CompileReporter(const std::string& path, std::string command);

  // Records every pass `inst`'s manager runs.
  void watch(passes::Instrumentation& inst) { inst.observer = &recorder_; }
  // Has the kernels' assembly and LLVM IR written where the kernel table reads them (the
  // directories given with --dump-asm and --dump-llvm-ir, else a temporary one).
  void want_assembly(codegen::CompileOptions& co);
  // Writes the page. `final_graph`: the compiled graph, or nullptr for the one the last
  // pass left; `target`: the kernels' target, "" when none were generated.
  void write(const std::string& title, const ir::Graph* final_graph, const std::string& pipeline,
             const std::string& target);
  // A section comparing two pipelines (lmc bench --vs-pipeline), written with the page.
  void add_comparison(report::PipelineComparison c) { comparison_ = std::move(c); }
  const std::string& path() const { return file_.path(); }

 private:
  report::ReportFile file_;
  std::string command_;
  report::PassRecorder recorder_;
  std::optional<report::AssemblyListings> listings_;
  report::KernelCode code_;
  std::optional<report::PipelineComparison> comparison_;
};

}  // namespace lmc::tools
