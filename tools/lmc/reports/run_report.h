// lmc run --profile --report=FILE: the report page (driver/report/) of one generation: the
// kernel table of the model that ran and each kernel's share of the step. A run opens a
// compiled model, so the passes are lmc compile --report's part. The file is opened
// before the model, so a bad path fails before any work.
#pragma once
#include <memory>
#include <string>

#include "driver/open_model.h"
#include "driver/report/report_file.h"
#include "runtime/profiler.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

FlagSpec run_report_flag_spec();

class RunReport {
 public:
  // nullptr without --report; a usage error without --profile, or with --prompts or
  // --interactive (which run more than one generation).
  static std::unique_ptr<RunReport> open(const Args& a);
  RunReport(const std::string& path, std::string command) : file_(path), command_(std::move(command)) {}

  void write(const driver::LoadedModel& m, const runtime::Profiler& p);
  const std::string& path() const { return file_.path(); }

 private:
  report::ReportFile file_;
  std::string command_;
};

}  // namespace lmc::tools
