#include "support/dump_folder.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "support/error.h"
#include "support/output_path.h"
#include "support/pending_file.h"

namespace lmc::runtime {

DumpFolder::DumpFolder(std::string path) : path_(std::move(path)) {
  OutputPath out = classify_output(path_);
  if (out.kind == OutputPath::Kind::Stream) stream_ = open_output_stream(out, path_);
  // A new path is made a folder; a file already there is not one.
  if (out.kind == OutputPath::Kind::File && ::access(out.file.c_str(), F_OK) == 0)
    throw error_at(path_, "cannot write dumps: it is a file, not a folder");
}

DumpFolder::~DumpFolder() {
  if (stream_ >= 0) ::close(stream_);
}

void DumpFolder::write(const std::string& name, std::string_view bytes) {
  if (stream_ >= 0) {
    if (!write_all(stream_, bytes.data(), bytes.size()))
      throw error_at(path_, "cannot write " + name + ": " + std::strerror(errno));
    return;
  }
  if (!made_) {
    std::error_code ec;
    std::filesystem::create_directories(path_, ec);
    if (ec) throw error_at(path_, "cannot create the dump folder: " + ec.message());
    made_ = true;
  }
  write_output(*file(name), bytes);
}

std::string DumpFolder::where(const std::string& name) const { return file(name).value_or(path_); }

std::optional<std::string> DumpFolder::file(const std::string& name) const {
  if (stream_ >= 0) return std::nullopt;
  return (std::filesystem::path(path_) / name).string();
}

}  // namespace lmc::runtime
