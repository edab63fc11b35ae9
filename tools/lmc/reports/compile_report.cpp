#include "tools/lmc/reports/compile_report.h"

#include "driver/report/graph_picture.h"
#include "driver/report/kernel_rows.h"
#include "ir/parser.h"
#include "passes/pass_registry.h"
#include "tools/lmc/reports/command_line.h"

namespace lmc::tools {

FlagSpec report_flag_spec() {
  return {"report", true,
          "write a self-contained HTML report of the compile to FILE: the passes with their "
          "IR diffs, remarks and graph pictures, and the kernel table with each kernel's assembly and LLVM IR",
          "FILE"};
}

namespace {

// Every registered pass that is not built in, with where it came from.
std::vector<std::string> loaded_passes() {
  std::vector<std::string> out;
  const passes::PassRegistry& registry = passes::PassRegistry::instance();
  for (const std::string& name : registry.names())
    if (std::string origin = registry.origin(name); !origin.starts_with("built into lmc"))
      out.push_back(name + ": " + origin);
  return out;
}

}  // namespace

std::unique_ptr<CompileReporter> CompileReporter::open(const Args& a) {
  if (!a.has("report")) return nullptr;
  return std::make_unique<CompileReporter>(*a.get("report"), command_line(a));
}

CompileReporter::CompileReporter(const std::string& path, std::string command)
    : file_(path), command_(std::move(command)) {}

void CompileReporter::want_assembly(codegen::CompileOptions& co) {
  for (std::string* dir : {&co.dump_asm_dir, &co.dump_llvm_ir_dir})
    if (dir->empty()) {
      if (!listings_) listings_.emplace();
      *dir = listings_->dir();
    }
  code_ = {co.dump_asm_dir, co.dump_llvm_ir_dir};
}

void CompileReporter::write(const std::string& title, const ir::Graph* final_graph, const std::string& pipeline,
                            const std::string& target) {
  report::CompileReport r;
  r.title = title;
  r.command = command_;
  r.loaded_passes = loaded_passes();
  r.pipeline = pipeline;
  r.target = target;
  r.passes = recorder_.steps();
  std::unique_ptr<ir::Graph> parsed;
  if (!final_graph && !recorder_.final_ir().empty()) {
    parsed = ir::parse(recorder_.final_ir(), "the compiled graph");
    final_graph = parsed.get();
  }
  if (final_graph) {
    r.kernels = report::kernel_rows(*final_graph, code_);
    r.layers = report::layer_pictures(*final_graph);
  }
  r.comparison = comparison_;
  file_.write(r);
}

}  // namespace lmc::tools
