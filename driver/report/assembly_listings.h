// A private temporary directory for the kernels' assembly while a report is made: the
// code generator writes each kernel's <symbol>.s there (codegen::CompileOptions), the
// kernel table counts their instructions, and the directory goes when this does.
#pragma once
#include <string>

#include "support/scratch_dir.h"

namespace lmc::report {

class AssemblyListings {
 public:
  // Throws lmc::Error naming the directory when it cannot be made.
  AssemblyListings() : dir_("lmc-report", "the kernels' assembly") {}

  const std::string& dir() const { return dir_.path(); }

 private:
  ScratchDir dir_;
};

}  // namespace lmc::report
