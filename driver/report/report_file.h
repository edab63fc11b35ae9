// Where a compile report goes (--report FILE): the path is tried when the command starts
// (the temporary beside it created), so a bad path fails at once rather than after a
// compile of minutes, and the page is written whole under its name or not at all
// (support/pending_file.h).
#pragma once
#include <string>

#include "driver/report/report_model.h"
#include "support/pending_file.h"

namespace lmc::report {

class ReportFile {
 public:
  // Throws lmc::Error "--report: <path>: error: ..." when the file cannot be created there.
  explicit ReportFile(const std::string& path);
  // Writes the page and renames it into place.
  void write(const CompileReport& r);
  const std::string& path() const { return file_.path(); }

 private:
  runtime::PendingFile file_;
};

}  // namespace lmc::report
