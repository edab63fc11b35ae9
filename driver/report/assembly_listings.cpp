#include "driver/report/assembly_listings.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "support/error.h"

namespace lmc::report {

AssemblyListings::AssemblyListings() {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  dir_ = ((ec ? std::filesystem::path("/tmp") : base) / "lmc-report-XXXXXX").string();
  if (!::mkdtemp(dir_.data()))
    throw Error(dir_ + ": error: cannot create a directory for the kernels' assembly: " + std::strerror(errno));
}

AssemblyListings::~AssemblyListings() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

}  // namespace lmc::report
