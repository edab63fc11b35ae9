#include "passes/pass_manager.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "ir/error.h"
#include "ir/graph_view.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/pass_registry.h"
#include "passes/run_program.h"

namespace lmc::passes {

namespace {

std::string two_digits(int i) {
  std::ostringstream s;
  s << std::setw(2) << std::setfill('0') << i;
  return s.str();
}

}  // namespace

void PassManager::add_pipeline(const std::string& text) {
  for (const auto& name : parse_pipeline(text)) add(PassRegistry::instance().create(name));
}

void PassManager::print(const std::string& banner, const ir::Graph& g) {
  std::ostream& os = inst_.out ? *inst_.out : std::cerr;
  os << "// -----// IR Dump " << banner << " //----- //\n" << ir::print(g) << "\n";
}

void PassManager::dump(const ir::Graph& g, int index, const std::string& pass, const char* when) {
  namespace fs = std::filesystem;
  fs::create_directories(inst_.dump_dir);
  std::string stem = (fs::path(inst_.dump_dir) / (two_digits(index) + "-" + pass + "." + when)).string();
  std::ofstream(stem + ".lir") << ir::print(g);
  if (!inst_.dump_dot) return;
  std::ofstream(stem + ".dot") << [&] {
    std::ostringstream s;
    ir::write_dot(g, s);
    return s.str();
  }();
  // Without Graphviz the .dot files are still there; stop trying after the first miss.
  static bool have_dot = true;
  if (have_dot)
    have_dot = run_program({"dot", "-Tsvg", stem + ".dot", "-o", stem + ".svg"}) != ProgramResult::NotFound;
}

void PassManager::fail_with_ir(const ir::Graph& g, const std::string& pass, const std::string& what) {
  std::string dir = inst_.dump_dir.empty() ? "." : inst_.dump_dir;
  std::filesystem::create_directories(dir);
  std::string path = (std::filesystem::path(dir) / ("failed-after-" + pass + ".lir")).string();
  std::ofstream(path) << ir::print(g);
  throw Error("pass '" + pass + "': " + what + " (IR written to " + path + ")");
}

void PassManager::run(ir::Graph& g, PassContext& ctx) {
  std::ostream& os = inst_.out ? *inst_.out : std::cerr;
  int index = 0;
  for (auto& p : passes_) {
    ++index;
    const std::string name = p->name();
    if (inst_.print_before_all || inst_.print_before.count(name)) print("Before " + name, g);
    if (!inst_.dump_dir.empty()) dump(g, index, name, "before");
    std::string before = ir::print(g);

    auto t0 = std::chrono::steady_clock::now();
    PassResult r = p->run(g, ctx);
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

    bool print_after = inst_.print_after_all || inst_.print_after.count(name);
    if (print_after && (!inst_.print_after_change || r.changed))
      print("After " + name + (r.changed ? "" : " (unchanged)"), g);
    if (!inst_.dump_dir.empty()) dump(g, index, name, "after");
    if (inst_.pass_stats)
      for (const auto& s : r.stats) os << "[pass-stats] " << name << ": " << s << "\n";
  }
  if (inst_.remarks)
    for (const auto& r : ctx.remarks) os << "remark: " << r.pass << ": %" << r.where << ": " << r.message << "\n";
  if (inst_.time_passes) {
    double total = 0;
    for (const auto& r : records_) total += r.seconds;
    os << "===-------------------------------------------------------------===\n"
       << "                      Pass execution timing report\n"
       << "===-------------------------------------------------------------===\n";
    for (const auto& r : records_)
      os << "  " << std::fixed << std::setprecision(4) << r.seconds * 1e3 << " ms  " << r.name << "\n";
    os << "  " << std::fixed << std::setprecision(4) << total * 1e3 << " ms  Total\n";
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
