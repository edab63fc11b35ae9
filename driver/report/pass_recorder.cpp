#include "driver/report/pass_recorder.h"

#include <sstream>

#include "driver/report/graph_picture.h"
#include "driver/report/ir_line.h"
#include "ir/parser.h"
#include "passes/unified_diff.h"

namespace lmc::report {

namespace {

std::string trimmed(const std::string& s) {
  const size_t b = s.find_first_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b);
}

RemarkEntry entry(const passes::Remark& r, const passes::PassRun& run) {
  if (r.where.starts_with('@')) return {r.pass, r.where, "", r.message};
  const std::string value = "%" + r.where;
  std::string line = defining_line(*run.after, value);
  if (line.empty()) line = defining_line(*run.before, value);
  return {r.pass, value, line, r.message};
}

}  // namespace

std::string defining_line(const std::string& text, const std::string& value) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    for (const auto& v : defined_values(line))
      if (v == value) return trimmed(line);
  }
  return "";
}

void PassRecorder::pass_ran(const passes::PassRun& run) {
  PassStep step{run.index, run.name, run.changed, run.seconds, run.stats, "", {}, {}};
  if (run.changed) {
    step.diff = passes::unified_diff(*run.before, *run.after, "before " + run.name, "after " + run.name);
    if (pictures_) step.pictures = change_pictures(*ir::parse(*run.before, "before " + run.name), *run.graph);
  }
  for (; remarks_seen_ < run.remarks->size(); ++remarks_seen_)
    step.remarks.push_back(entry((*run.remarks)[remarks_seen_], run));
  steps_.push_back(std::move(step));
  final_ir_ = *run.after;
}

}  // namespace lmc::report
