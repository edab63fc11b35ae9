#include "tools/lmc/flags/pass_flags.h"

#include <cstdlib>
#include <limits>

#include "passes/pass_file_loader.h"
#include "passes/pass_registry.h"
#include "passes/pipeline.h"
#include "passes/plugin_loader.h"
#include "support/error.h"

namespace lmc::tools {

namespace {

// The passes a flag names, each a registered pass: a misspelt name would otherwise
// match nothing and print nothing.
std::set<std::string> pass_names(const Args& a, const std::string& flag) {
  std::set<std::string> out;
  for (const auto& name : a.all(flag)) {
    if (auto why = passes::pass_name_problem(name); !why.empty()) throw UsageError("--" + flag + ": " + why);
    out.insert(name);
  }
  return out;
}

// One flag per option a registered pass declares, so a plugin's options are flags too.
std::vector<FlagSpec> pass_option_flag_specs() {
  std::vector<FlagSpec> out;
  for (const auto& [pass, o] : passes::registered_options()) {
    std::string help = o.help + " [" + pass + "{" + o.name + "}]";
    // A bool is `--flag` (true) or `--flag=true|false`.
    bool is_bool = o.kind == passes::OptionKind::Bool;
    out.push_back({passes::option_flag(o, pass), true, help, passes::option_value_syntax(o), is_bool});
  }
  return out;
}

passes::PrintChanged print_changed(const Args& a) {
  auto v = a.get("print-changed");
  if (!v) return passes::PrintChanged::Off;
  if (v->empty()) return passes::PrintChanged::Full;
  if (*v == "diff") return passes::PrintChanged::Diff;
  if (*v == "quiet") return passes::PrintChanged::Quiet;
  if (*v == "diff-quiet") return passes::PrintChanged::DiffQuiet;
  throw UsageError("--print-changed takes no value, 'diff', 'quiet' or 'diff-quiet', got '" + *v + "'");
}

}  // namespace

std::vector<FlagSpec> pass_flag_specs() {
  std::vector<FlagSpec> specs = {
      {"passes",
       true,
       "pass pipeline, e.g. 'default', 'none', 'fuse-qkv,quant-threshold{min-dim=512},dce'",
       "PIPELINE",
       false,
       "",
       {"pass-pipeline"}},
      {"dump-pass-pipeline", false, "print the pipeline in pipeline text (stderr) before running it"},
      {"verify-each",
       false,
       "accepted as mlir-opt takes it: lmc always verifies",
       "VALUE",
       false,
       "",
       {},
       {},
       "lmc always verifies the graph after every pass that changed it"},
      {"print-ir-before-all",
       false,
       "print the IR before every pass (stderr)",
       "",
       false,
       "",
       {"mlir-print-ir-before-all"}},
      {"print-ir-after-all",
       false,
       "print the IR after every pass (stderr)",
       "",
       false,
       "",
       {"mlir-print-ir-after-all"}},
      {"print-ir-before",
       true,
       "print the IR before the named pass (repeatable)",
       "PASS",
       false,
       "",
       {"mlir-print-ir-before"}},
      {"print-ir-after",
       true,
       "print the IR after the named pass (repeatable)",
       "PASS",
       false,
       "",
       {"mlir-print-ir-after"}},
      {"print-ir-after-change",
       false,
       "with --print-ir-after*, skip passes that changed nothing",
       "",
       false,
       "",
       {"mlir-print-ir-after-change"}},
      {"print-changed", true,
       "print the IR at start and after each pass that changed it; 'diff' as a unified "
       "diff, 'quiet' without the start and the unchanged notes",
       "diff|quiet|diff-quiet", true},
      {"debug-pass-manager", false, "log each pass as it runs, with its options and what it changed"},
      {"opt-bisect-limit", true, "run only the first N pass applications (docs/writing-a-pass.md: bisecting)", "N"},
      {"dump-ir-dir", true, "write NN-<pass>.before.lir / .after.lir files into DIR", "DIR"},
      {"dump-ir-format", true, "'lir' (default) or 'dot' (adds .dot, and .svg with Graphviz)", "FMT"},
      {"dot-layer", true, "draw layer N alone in .dot pictures, with stubs for what it reads", "N"},
      {"dot-show-weights", false, "draw weights as nodes in .dot pictures, not as lines in their readers"},
      {"pass-stats", false, "print each pass's statistics", "", false, "", {"stats", "mlir-pass-statistics"}},
      {"time-passes", false, "print how long each pass took", "", false, "", {"mlir-timing"}},
      {"remarks", false, "print every decision passes made (e.g. each quantization)"},
      {"remarks-filter", true, "print only the remarks whose 'pass: %value: message' line matches REGEX", "REGEX"},
      {"load-pass-plugin", true, "load passes from a shared library (repeatable)", "LIB"},
      {"load-pass-file", true, "load a fusion pass from a pass file (repeatable; also each *.pass in $LMC_PASS_DIR)",
       "FILE"},
  };
  for (auto& f : pass_option_flag_specs()) specs.push_back(f);
  return specs;
}

passes::Instrumentation instrumentation_from(const Args& a) {
  passes::Instrumentation inst;
  inst.print_before_all = a.has("print-ir-before-all");
  inst.print_after_all = a.has("print-ir-after-all");
  inst.print_before = pass_names(a, "print-ir-before");
  inst.print_after = pass_names(a, "print-ir-after");
  inst.print_after_change = a.has("print-ir-after-change");
  inst.print_changed = print_changed(a);
  inst.debug_pass_manager = a.has("debug-pass-manager");
  inst.dump_pipeline = a.has("dump-pass-pipeline");
  inst.bisect_limit = a.get_int("opt-bisect-limit", -1, 0, int64_t{1} << 30);
  inst.dump_dir = a.get_or("dump-ir-dir", "");
  std::string fmt = a.get_or("dump-ir-format", "lir");
  if (fmt != "lir" && fmt != "dot") throw UsageError("--dump-ir-format must be 'lir' or 'dot'");
  inst.dump_dot = fmt == "dot";
  if (a.has("dot-layer"))
    inst.dot.layer = static_cast<int>(a.get_int("dot-layer", 0, 0, std::numeric_limits<int>::max()));
  inst.dot.show_weights = a.has("dot-show-weights");
  if ((inst.dot.layer || inst.dot.show_weights) && !inst.dump_dot && !a.has("emit-dot"))
    throw UsageError(
        "--dot-layer and --dot-show-weights shape .dot pictures, and none is drawn without --dump-ir-format=dot");
  inst.pass_stats = a.has("pass-stats");
  inst.time_passes = a.has("time-passes");
  inst.remarks = a.has("remarks");
  inst.remarks_filter = a.get_or("remarks-filter", "");
  return inst;
}

passes::OptionValues pass_options(const Args& a) {
  // A typo in the pipeline is the user's, as one in --print-ir-after is: the same exit code.
  if (auto text = a.get("passes")) try {
      passes::parse_pipeline(*text);
    } catch (const Error& e) {
      throw UsageError(e.what());
    }
  passes::OptionValues values;
  for (const auto& [pass, o] : passes::registered_options()) {
    std::string flag = passes::option_flag(o, pass);
    if (!a.has(flag)) continue;
    std::string v = *a.get(flag);
    if (o.kind == passes::OptionKind::Bool && v.empty()) v = "true";
    if (auto why = passes::option_value_problem(o, v); !why.empty()) throw UsageError("--" + flag + ": " + why);
    values[flag] = v;
  }
  return values;
}

namespace {

// The pass files of the folder LMC_PASS_DIR names, if it is set.
std::vector<std::string> pass_dir_files() {
  const char* dir = std::getenv("LMC_PASS_DIR");
  return dir && *dir ? passes::pass_files_in(dir) : std::vector<std::string>{};
}

// Each value of `--flag X` and `--flag=X` in argv.
std::vector<std::string> flag_values(int argc, char** argv, const std::string& flag) {
  std::vector<std::string> out;
  for (int i = 2; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == flag && i + 1 < argc)
      out.push_back(argv[++i]);
    else if (arg.rfind(flag + "=", 0) == 0)
      out.push_back(arg.substr(flag.size() + 1));
  }
  return out;
}

}  // namespace

void load_pass_plugins(int argc, char** argv) {
  for (const auto& lib : flag_values(argc, argv, "--load-pass-plugin")) passes::load_pass_plugin(lib);
  for (const auto& file : pass_dir_files()) passes::load_pass_file(file);
  for (const auto& file : flag_values(argc, argv, "--load-pass-file")) passes::load_pass_file(file);
}

std::vector<std::string> pass_files(const Args& a) {
  std::vector<std::string> out = pass_dir_files();
  for (const auto& file : a.all("load-pass-file")) out.push_back(file);
  return out;
}

}  // namespace lmc::tools
