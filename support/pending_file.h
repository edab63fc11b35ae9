// An output that is either complete where the user pointed or not there at all, written by
// the rule of support/output_path.h. A file (or a new path, or the file a symbolic link
// names) gets its bytes in "<file>.tmp.<pid>[.<n>]" beside it (support/temporary_files.h),
// which commit() renames over it; the temporary is removed when the PendingFile dies
// uncommitted (an exception, a Ctrl-C unwinding) and also when a signal ends the process
// (SIGHUP, or SIGINT and SIGTERM where no one handles them), so an interrupted `lmc compile`
// leaves nothing. One left by a process killed outright (SIGKILL) goes when the next
// PendingFile of the same file is made. A stream (a character device such as /dev/null, a FIFO, a socket, "-" for
// standard output) is never replaced: it is opened at once, so a bad one fails before the
// work, and the bytes are staged in an anonymous file ($TMPDIR's, else memory), which
// commit() copies into it. Staging keeps pwrite()/pread() working for writers that patch
// what they wrote (the artifact's header, a .npy's row count), and a failed command writes
// nothing into the stream. Every error names `path`, the one the user gave.
#pragma once
#include <string>
#include <string_view>

#include "support/error.h"

namespace lmc::runtime {

// A write refused because the disk (or the user's quota, or the file-size limit) is full: a caller with somewhere
// else to put the bytes (the compile cache keeps the model in memory) can tell it apart.
class NoSpaceLeft : public Error {
 public:
  using Error::Error;
};

class PendingFile {
 public:
  // Throws lmc::Error "<path>: error: ..." when `path` is a directory, the temporary cannot
  // be created or the stream cannot be opened for writing. `mode`: a new file's permissions
  // (before the umask).
  explicit PendingFile(std::string path, unsigned mode = 0644);
  ~PendingFile();
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;

  void write(std::string_view bytes);
  void pwrite(std::string_view bytes, uint64_t offset);  // over bytes already written
  std::string pread(uint64_t offset, uint64_t size) const;
  uint64_t size() const { return size_; }
  // A file: flushes to disk, closes and renames over it. A stream: copies the bytes into it.
  void commit();
  // As commit(), but a file that is there already wins (a link, not a rename): false then,
  // and the bytes are dropped. For a file that many processes may create at once.
  bool commit_new();
  const std::string& path() const { return path_; }
  bool is_stream() const { return stream_ >= 0; }

  // Throws NoSpaceLeft for ENOSPC, EDQUOT and EFBIG, else lmc::Error.
  [[noreturn]] void fail(const std::string& what, int err) const;

 private:
  void open_temporary(unsigned mode);
  void close_for_commit();
  void copy_into_stream();
  void release_lock();

  std::string path_;    // as the user gave it
  std::string target_;  // the file replaced (the link's target), empty for a stream
  std::string tmp_;
  int fd_ = -1;      // the temporary, or the stream's staging file
  int lock_ = -1;    // the temporary's, holding its writer's lock until it is renamed or removed
  int stream_ = -1;  // the stream, or -1 for a file
  int slot_ = -1;    // in the list of files a signal removes (support/exit_removals.h)
  uint64_t size_ = 0;
  bool committed_ = false;
};

// Writes `bytes` as the whole output at `path` (a PendingFile written once and committed).
// Throws lmc::Error "<path>: error: cannot write: <reason>".
void write_output(const std::string& path, std::string_view bytes);

}  // namespace lmc::runtime
