#include "tools/lmc/commands/output_guard.h"

#include <sys/stat.h>

#include <filesystem>

#include "support/error.h"

namespace lmc::tools {

namespace {

bool same_file(const struct stat& a, const std::string& path) {
  struct stat b{};
  return ::stat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

}  // namespace

void refuse_input_as_output(const std::string& out, const std::vector<InputFile>& inputs) {
  struct stat o{};
  if (::stat(out.c_str(), &o) != 0) return;  // not there yet: it cannot be an input
  namespace fs = std::filesystem;
  for (const InputFile& in : inputs) {
    bool clash = same_file(o, in.path);
    std::error_code ec;
    if (!clash && fs::is_directory(in.path, ec))
      for (const auto& e : fs::directory_iterator(in.path, ec))
        if (same_file(o, e.path().string())) clash = true;
    if (clash)
      throw error_at(out, "refusing to write over " + in.role + " (" + in.path +
                              ") that this command reads; choose another output file");
  }
}

}  // namespace lmc::tools
