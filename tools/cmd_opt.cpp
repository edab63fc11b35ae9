// lmc opt: reads IR text, runs passes, prints the result — mlir-opt for lmc graphs.
#include <iostream>
#include <sstream>

#include "codegen/kernel_compiler.h"
#include "ir/error.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/regular_file.h"
#include "ir/verifier.h"
#include "passes/pass_manager.h"
#include "passes/pass_registry.h"
#include "runtime/kernel_table.h"
#include "tools/commands.h"
#include "tools/output_file.h"
#include "tools/pass_flags.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> opt_specs() {
  auto specs = pass_flag_specs();
  specs.push_back({"o", true, "write the result to FILE instead of stdout", "FILE"});
  specs.push_back({"dump-llvm-ir", true, "generate the result's kernels and write each one's optimized LLVM IR to DIR/<kernel>.ll", "DIR"});
  specs.push_back({"dump-asm", true, "generate the result's kernels and write each one's assembly to DIR/<kernel>.s", "DIR"});
  specs.push_back({"list-passes", false, "list the available passes and exit"});
  specs.push_back({"help", false, "show this help"});
  return specs;
}

std::string read_input(const std::string& path) {
  if (path == "-") {
    std::stringstream ss;
    ss << std::cin.rdbuf();
    return ss.str();
  }
  return read_regular_file(path);
}

// The kernels of `g` for this machine's baseline target, for their dumps: a graph needs
// no weights to be compiled, so a researcher sees the code a fusion becomes from IR text.
void dump_kernels(const Args& a, const ir::Graph& g, const std::string& path) {
  codegen::CompileOptions co;
  co.dump_llvm_ir_dir = a.get_or("dump-llvm-ir", "");
  co.dump_asm_dir = a.get_or("dump-asm", "");
  if (co.dump_llvm_ir_dir.empty() && co.dump_asm_dir.empty()) return;
  codegen::KernelCompiler compiler;
  runtime::add_graph_kernels(compiler, g, path);
  compiler.compile(co);
}

}  // namespace

int cmd_opt(int argc, char** argv) {
  Args a(opt_specs(), argc, argv, 2);
  if (a.has("help")) {
    std::cout << "usage: lmc opt FILE.lir [options]\n\n"
                 "Parses and verifies a graph, runs the --passes pipeline (none by default),\n"
                 "and prints the resulting graph. FILE '-' reads stdin. With --dump-llvm-ir or\n"
                 "--dump-asm it also generates the graph's kernels and writes their code.\n\noptions:\n"
              << Args::help_text(opt_specs());
    return 0;
  }
  load_pass_plugins(a);
  if (a.has("list-passes")) {
    for (const auto& name : passes::PassRegistry::instance().names())
      std::cout << name << "  " << passes::PassRegistry::instance().create(name)->summary() << "\n";
    return 0;
  }
  if (a.positional().size() != 1) throw UsageError("lmc opt expects one input file");
  const std::string& path = a.positional()[0];
  const std::string source = path == "-" ? "<stdin>" : path;
  auto g = ir::parse(read_input(path), source);
  ir::verify(*g, source);

  passes::PassManager pm(instrumentation_from(a));
  pm.add_pipeline(a.get_or("passes", "none"));
  passes::PassContext ctx;
  apply_pass_options(a, ctx);
  pm.run(*g, ctx);

  dump_kernels(a, *g, source);
  std::string text = ir::print(*g);
  if (auto out = a.get("o")) {
    write_output_file(*out, text);
  } else {
    std::cout << text;
  }
  return 0;
}

}  // namespace lmc::tools
