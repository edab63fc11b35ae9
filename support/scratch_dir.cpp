#include "support/scratch_dir.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "support/error.h"

namespace lmc {

ScratchDir::ScratchDir(const std::string& stem, const std::string& purpose) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  path_ = ((ec ? std::filesystem::path("/tmp") : base) / (stem + "-XXXXXX")).string();
  if (!::mkdtemp(path_.data()))
    throw Error(path_ + ": error: cannot create a directory for " + purpose + ": " + std::strerror(errno));
}

ScratchDir::~ScratchDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace lmc
