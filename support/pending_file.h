// An output file that is either complete under its name or not there at all: bytes go to
// "<path>.tmp.<pid>" beside it, which commit() renames over `path`. The temporary is
// removed when the PendingFile dies uncommitted (an exception) and also when SIGINT,
// SIGTERM or SIGHUP ends the process, so an interrupted `lmc compile` leaves nothing.
// Every error names `path`, the file the user asked for, not the temporary.
#pragma once
#include <string>
#include <string_view>

#include "support/error.h"

namespace lmc::runtime {

// A write refused because the disk (or the user's quota) is full: a caller with somewhere
// else to put the bytes (the compile cache keeps the model in memory) can tell it apart.
class NoSpaceLeft : public Error {
 public:
  using Error::Error;
};

class PendingFile {
 public:
  // Throws lmc::Error "<path>: error: ..." when `path` is a directory or the temporary
  // cannot be created.
  explicit PendingFile(std::string path);
  ~PendingFile();
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;

  void write(std::string_view bytes);
  void pwrite(std::string_view bytes, uint64_t offset);  // over bytes already written
  std::string pread(uint64_t offset, uint64_t size) const;
  uint64_t size() const { return size_; }
  // Flushes to disk, closes and renames over `path`.
  void commit();
  const std::string& path() const { return path_; }

  // Throws NoSpaceLeft for ENOSPC and EDQUOT, else lmc::Error.
  [[noreturn]] void fail(const std::string& what, int err) const;

 private:
  std::string path_, tmp_;
  int fd_ = -1;
  int slot_ = -1;  // in the signal handler's list of files to remove
  uint64_t size_ = 0;
  bool committed_ = false;
};

}  // namespace lmc::runtime
