#include "passes/pass_manager.h"

#include <chrono>
#include <cstdio>
#include <functional>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/api/pass_fault.h"
#include "passes/pass_registry.h"
#include "passes/placement.h"
#include "passes/run_program.h"
#include "passes/unified_diff.h"
#include "support/cancellation.h"
#include "support/dump_folder.h"
#include "support/error.h"

namespace lmc::passes {

namespace {

std::string two_digits(int i) {
  std::ostringstream s;
  s << std::setw(2) << std::setfill('0') << i;
  return s.str();
}

// The pass's option values that differ from their defaults: what pipeline text must say
// to run it the same way again.
OptionValues explicit_options(const Pass& p) {
  OptionValues out;
  for (const auto& o : p.options()) {
    auto it = p.option_values().find(o.name);
    if (it != p.option_values().end() && it->second != o.default_value) out.insert(*it);
  }
  return out;
}

// A registered pass with its options: the entry's, else the flag's, else the default.
std::unique_ptr<Pass> configured(const PipelineEntry& e, const OptionValues& flags) {
  auto p = PassRegistry::instance().create(e.pass);
  OptionValues values = e.options;
  for (const auto& o : p->options()) {
    auto it = flags.find(option_flag(o, e.pass));
    if (values.count(o.name) || it == flags.end()) continue;
    if (auto why = option_value_problem(o, it->second); !why.empty()) throw Error("--" + it->first + ": " + why);
    values[o.name] = it->second;
  }
  p->configure(std::move(values));
  return p;
}

}  // namespace

PassManager::PassManager(Instrumentation inst) : inst_(std::move(inst)), remarks_filter_(inst_.remarks_filter) {}

void PassManager::add(std::unique_ptr<Pass> p, bool required) { passes_.push_back({std::move(p), required}); }

void PassManager::add_pipeline(const std::string& text, const OptionValues& flags) {
  for (const auto& e : parse_pipeline(text)) add(configured(e, flags));
}

void PassManager::ensure_suffix(const std::string& text, const OptionValues& flags) {
  auto entries = parse_pipeline(text);
  bool present = entries.size() <= passes_.size();
  for (size_t i = 0; present && i < entries.size(); ++i)
    present = passes_[passes_.size() - entries.size() + i].pass->name() == entries[i].pass;
  if (present) {
    for (size_t i = 0; i < entries.size(); ++i) passes_[passes_.size() - entries.size() + i].required = true;
    return;
  }
  for (const auto& e : entries) add(configured(e, flags), true);
}

std::string PassManager::pipeline_text() const {
  Pipeline p;
  for (const auto& s : passes_)
    if (!s.skipped) p.push_back({s.pass->name(), explicit_options(*s.pass)});
  return print_pipeline(p);
}

std::ostream& PassManager::os() const { return inst_.out ? *inst_.out : std::cerr; }

void PassManager::print(const std::string& banner, const ir::Graph& g) {
  os() << "// -----// IR Dump " << banner << " //----- //\n" << ir::print(g) << "\n";
}

void PassManager::print_change(const std::string& pass, bool changed, const std::string& before,
                               const std::string& after) {
  PrintChanged mode = inst_.print_changed;
  bool quiet = mode == PrintChanged::Quiet || mode == PrintChanged::DiffQuiet;
  if (!changed) {
    if (!quiet) os() << "// -----// IR Dump After " << pass << " omitted because no change //----- //\n";
    return;
  }
  if (mode == PrintChanged::Full || mode == PrintChanged::Quiet) {
    os() << "// -----// IR Dump After " << pass << " //----- //\n" << after << "\n";
    return;
  }
  os() << "// -----// IR Dump After " << pass << " (diff) //----- //\n"
       << unified_diff(before, after, "before " + pass, "after " + pass);
}

runtime::DumpFolder& PassManager::dump_folder(const std::string& path) {
  if (!dumps_ || dumps_->path() != path) dumps_ = std::make_shared<runtime::DumpFolder>(path);
  return *dumps_;
}

void PassManager::dump(const ir::Graph& g, int index, const std::string& pass, const char* when,
                       const std::string* before) {
  runtime::DumpFolder& folder = dump_folder(inst_.dump_dir);
  std::string stem = two_digits(index) + "-" + pass + "." + when;
  folder.write(stem + ".lir", ir::print(g));
  if (!inst_.dump_dot) return;
  // The picture after a pass outlines what it changed: the graph it started from, read back.
  auto earlier = before ? ir::parse(*before, "before " + pass) : nullptr;
  std::ostringstream dot;
  ir::write_dot(g, dot, inst_.dot, earlier.get());
  folder.write(stem + ".dot", dot.str());
  // Drawn from the .dot file, so not into a stream. Without Graphviz the .dot files are
  // still there; stop trying after the first miss.
  static bool have_dot = true;
  std::optional<std::string> dot_file = folder.file(stem + ".dot");
  if (!have_dot || !dot_file) return;
  ProgramOutput svg = program_output({"dot", "-Tsvg", *dot_file});
  have_dot = svg.result != ProgramResult::NotFound;
  if (svg.result == ProgramResult::Ok) folder.write(stem + ".svg", svg.out);
}

void PassManager::fail_with_ir(const ir::Graph& g, const std::string& pass, const std::string& what) {
  runtime::DumpFolder& folder = dump_folder(inst_.dump_dir.empty() ? "." : inst_.dump_dir);
  std::string name = "failed-after-" + pass + ".lir";
  folder.write(name, ir::print(g));
  throw Error("pass '" + pass + "': " + what + " (IR written to " + folder.where(name) + ")");
}

bool PassManager::bisect_allows(Slot& s) {
  if (inst_.bisect_limit < 0 || s.required) return true;
  ++applications_;
  bool run = applications_ <= inst_.bisect_limit;
  os() << "BISECT: " << (run ? "running" : "NOT running") << " pass (" << applications_ << ") " << s.pass->name()
       << "\n";
  s.skipped = !run;
  return run;
}

bool PassManager::run_one(Slot& s, int index, ir::Graph& g, PassContext& ctx) {
  Pass& p = *s.pass;
  const std::string name = p.name();
  if (inst_.debug_pass_manager)
    os() << "Running pass: " << print_pipeline({{name, explicit_options(p)}}) << " on @" << g.name() << " ("
         << g.ops().size() << " ops)\n";
  if (inst_.print_before_all || inst_.print_before.count(name)) print("Before " + name, g);
  if (!inst_.dump_dir.empty()) dump(g, index, name, "before");
  std::string before = ir::print(g);
  size_t ops_before = g.ops().size();

  auto t0 = std::chrono::steady_clock::now();
  PassResult r;
  try {
    r = p.run(g, ctx);
  } catch (const PassFault& e) {
    fail_with_ir(g, name, e.what());
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::string after = ir::print(g);
  if (!r.changed && after != before) fail_with_ir(g, name, "reported no change but changed the graph");
  if (r.changed) {
    try {
      ir::verify(g, "after " + name);
    } catch (const Error& e) {
      fail_with_ir(g, name, std::string("produced an invalid graph: ") + e.what());
    }
  }
  records_.push_back({name, r.changed, secs, r.stats});
  if (inst_.debug_pass_manager)
    os() << "  "
         << (r.changed
                 ? "changed: " + std::to_string(ops_before) + " -> " + std::to_string(g.ops().size()) + " ops, verified"
                 : std::string("unchanged"))
         << "\n";

  bool print_after = inst_.print_after_all || inst_.print_after.count(name);
  if (print_after && (!inst_.print_after_change || r.changed))
    print("After " + name + (r.changed ? "" : " (unchanged)"), g);
  if (inst_.print_changed != PrintChanged::Off) print_change(name, r.changed, before, after);
  if (!inst_.dump_dir.empty()) dump(g, index, name, "after", r.changed ? &before : nullptr);
  if (inst_.pass_stats)
    for (const auto& st : r.stats) os() << "[pass-stats] " << name << ": " << st << "\n";
  if (inst_.observer)
    inst_.observer->pass_ran({index, name, r.changed, secs, r.stats, &before, &after, &g, &ctx.remarks});
  return r.changed;
}

// Counted in the pipeline without it: where it stands, its own fusions would take its
// candidates, and the counts would suggest placing it before itself.
void PassManager::explain_placement(std::unique_ptr<Pass> p) {
  std::erase_if(passes_, [&](const Slot& s) { return s.pass->name() == p->name(); });
  explained_.push_back(std::move(p));
}

void PassManager::run(ir::Graph& g, PassContext& ctx) {
  if (inst_.dump_pipeline) os() << "Pass Manager with " << passes_.size() << " passes:\n" << pipeline_text() << "\n";
  if (inst_.print_changed == PrintChanged::Full || inst_.print_changed == PrintChanged::Diff) print("At Start", g);
  std::vector<const Pass*> pipeline, explained;
  for (const auto& s : passes_) pipeline.push_back(s.pass.get());
  for (const auto& p : explained_) explained.push_back(p.get());
  PlacementWatch watch(pipeline, explained);
  for (size_t i = 0; i < passes_.size(); ++i) {
    check_cancelled();
    watch.at(i, g);
    if (!bisect_allows(passes_[i])) continue;
    watch.remark_lost(i, run_one(passes_[i], static_cast<int>(i) + 1, g, ctx), g, ctx);
  }
  watch.at(passes_.size(), g);
  placement_ = watch.explanation();
  report(ctx);
}

void PassManager::report(const PassContext& ctx) const {
  bool filtered = !inst_.remarks_filter.empty();
  if (inst_.remarks || filtered)
    for (const auto& r : ctx.remarks) {
      std::string line = r.text();
      if (remarks_filter_.matches(line)) os() << "remark: " << line << "\n";
    }
  if (inst_.time_passes) {
    double total = 0;
    for (const auto& r : records_) total += r.seconds;
    os() << "===-------------------------------------------------------------===\n"
         << "                      Pass execution timing report\n"
         << "===-------------------------------------------------------------===\n";
    for (const auto& r : records_)
      os() << "  " << std::fixed << std::setprecision(4) << r.seconds * 1e3 << " ms  " << r.name << "\n";
    os() << "  " << std::fixed << std::setprecision(4) << total * 1e3 << " ms  Total\n";
  }
}

std::vector<std::string> PassManager::summary() const {
  std::vector<std::string> out;
  for (const auto& r : records_)
    if (r.changed)
      for (const auto& s : r.stats) out.push_back(s);
  return out;
}

}  // namespace lmc::passes
