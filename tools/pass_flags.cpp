#include "tools/pass_flags.h"

#include <sstream>

#include "passes/plugin_loader.h"

namespace lmc::tools {

std::vector<FlagSpec> pass_flag_specs() {
  return {
      {"passes", true, "pass pipeline: comma-separated names, 'default' or 'none'", "LIST"},
      {"print-ir-before-all", false, "print the IR before every pass (stderr)"},
      {"print-ir-after-all", false, "print the IR after every pass (stderr)"},
      {"print-ir-before", true, "print the IR before the named pass (repeatable)", "PASS"},
      {"print-ir-after", true, "print the IR after the named pass (repeatable)", "PASS"},
      {"print-ir-after-change", false, "with --print-ir-after*, skip passes that changed nothing"},
      {"dump-ir-dir", true, "write NN-<pass>.before.lir / .after.lir files into DIR", "DIR"},
      {"dump-ir-format", true, "'lir' (default) or 'dot' (adds .dot, and .svg with Graphviz)", "FMT"},
      {"pass-stats", false, "print each pass's statistics"},
      {"time-passes", false, "print how long each pass took"},
      {"remarks", false, "print every decision passes made (e.g. each quantization)"},
      {"quant-min-dim", true, "quantize a linear to Q8_0 when max(in, out) >= N (default d_model)", "N"},
      {"quant-mode", true, "'rule' (default) or 'measured' (time both kernels here)", "MODE"},
      {"load-pass-plugin", true, "load passes from a shared library (repeatable)", "LIB"},
  };
}

namespace {
std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }
}  // namespace

passes::Instrumentation instrumentation_from(const Args& a) {
  passes::Instrumentation inst;
  inst.print_before_all = a.has("print-ir-before-all");
  inst.print_after_all = a.has("print-ir-after-all");
  inst.print_before = as_set(a.all("print-ir-before"));
  inst.print_after = as_set(a.all("print-ir-after"));
  inst.print_after_change = a.has("print-ir-after-change");
  inst.dump_dir = a.get_or("dump-ir-dir", "");
  std::string fmt = a.get_or("dump-ir-format", "lir");
  if (fmt != "lir" && fmt != "dot") throw UsageError("--dump-ir-format must be 'lir' or 'dot'");
  inst.dump_dot = fmt == "dot";
  inst.pass_stats = a.has("pass-stats");
  inst.time_passes = a.has("time-passes");
  inst.remarks = a.has("remarks");
  return inst;
}

void apply_pass_options(const Args& a, passes::PassContext& ctx) {
  if (a.has("quant-min-dim"))
    ctx.options["quant-min-dim"] = std::to_string(a.get_int("quant-min-dim", 0, 1, int64_t{1} << 40));
  if (auto m = a.get("quant-mode")) ctx.options["quant-mode"] = *m;
}

void load_pass_plugins(const Args& a) {
  for (const auto& lib : a.all("load-pass-plugin")) passes::load_pass_plugin(lib);
}

}  // namespace lmc::tools
