#include "tools/lmc/reports/run_report.h"

#include "driver/report/kernel_rows.h"
#include "driver/report/profile_rows.h"
#include "driver/report/remark_ranking.h"
#include "tools/lmc/reports/command_line.h"

namespace lmc::tools {

FlagSpec run_report_flag_spec() {
  return {"report", true,
          "with --profile: write a self-contained HTML report of the run to FILE, the kernel "
          "table, each kernel's share of the step and the compile's remarks ranked by it",
          "FILE"};
}

std::unique_ptr<RunReport> RunReport::open(const Args& a) {
  if (!a.has("report")) return nullptr;
  if (!a.has("profile")) throw UsageError("--report needs --profile (the report shows the run's profile)");
  if (a.has("prompts") || a.has("interactive"))
    throw UsageError("--report reports one generation, not --prompts or --interactive");
  return std::make_unique<RunReport>(*a.get("report"), command_line(a));
}

void RunReport::write(const driver::LoadedModel& m, const runtime::Profiler& p) {
  report::CompileReport r;
  r.title = m.info.name;
  r.command = command_;
  r.kernels = report::kernel_rows(*m.graph, {});
  report::ProfileTable t = report::profile_rows(p);
  r.profile = std::move(t.rows);
  r.profile_note = std::move(t.note);
  r.ranked_remarks = report::rank_remarks(m.remarks, r.kernels, r.profile);
  file_.write(r);
}

}  // namespace lmc::tools
