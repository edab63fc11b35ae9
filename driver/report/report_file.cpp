#include "driver/report/report_file.h"

#include "driver/report/html_report.h"

namespace lmc::report {

namespace {

runtime::PendingFile open_pending(const std::string& path) {
  if (path.empty()) throw Error("--report: error: expects a file name");
  try {
    return runtime::PendingFile(path);
  } catch (const Error& e) {
    throw Error(std::string("--report: ") + e.what());
  }
}

}  // namespace

ReportFile::ReportFile(const std::string& path) : file_(open_pending(path)) {}

void ReportFile::write(const CompileReport& r) {
  file_.write(html_report(r));
  file_.commit();
}

}  // namespace lmc::report
