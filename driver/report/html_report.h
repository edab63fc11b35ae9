// A compile report as one self-contained HTML page: its style inline, its pictures as
// data: URIs, no script and nothing fetched, so it opens from a mail attachment or a CI
// artifact as it is. Sections: the pipeline as a table of passes, each pass's diff,
// remarks (beside the line of their op) and pictures; the kernel table, each kernel's
// assembly and LLVM IR folded under its row; a run's profile.
// Every text from the compile is escaped (driver/report/html_text.h).
#pragma once
#include <string>

#include "driver/report/report_model.h"

namespace lmc::report {

// A diff longer than this many lines is cut (the page must stay quick to open); the note
// says how many lines were left out.
inline constexpr size_t kMaxDiffLines = 4000;
// A kernel's assembly or LLVM IR longer than this is cut the same way.
inline constexpr size_t kMaxListingLines = 20000;

std::string html_report(const CompileReport& r);

}  // namespace lmc::report
