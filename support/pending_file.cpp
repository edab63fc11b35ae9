#include "support/pending_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <utility>

#include "support/error.h"
#include "support/exit_removals.h"
#include "support/output_path.h"
#include "support/temporary_files.h"

namespace lmc::runtime {

namespace {

// Where a stream's bytes wait for commit(): a file with no name in $TMPDIR (gone with the
// process, whatever ends it), or memory where the filesystem has no O_TMPFILE.
int staging_file() {
  const char* dir = std::getenv("TMPDIR");
  if (!dir || !*dir) dir = "/tmp";
  int fd = ::open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd < 0) fd = ::memfd_create("lmc-output", MFD_CLOEXEC);
  return fd;
}

}  // namespace

PendingFile::PendingFile(std::string path, unsigned mode) : path_(std::move(path)) {
  OutputPath out = classify_output(path_);
  if (out.kind == OutputPath::Kind::Directory) fail("cannot write: it is a directory", 0);
  if (out.kind == OutputPath::Kind::Stream) {
    stream_ = open_output_stream(out, path_);
    fd_ = staging_file();
    if (fd_ < 0) fail("cannot write: no room to stage the output in $TMPDIR or memory", errno);
    return;
  }
  target_ = out.file;
  open_temporary(mode);
}

// What an lmc killed while writing this file left beside it goes first: nothing it began
// outlives the next lmc that writes the same place.
void PendingFile::open_temporary(unsigned mode) {
  std::filesystem::path target(target_);
  remove_abandoned_temporaries(target.parent_path().string(), target.filename().string());
  tmp_ = temporary_name(target_);
  slot_ = remove_at_exit(tmp_);
  fd_ = create_temporary(tmp_, mode);
  if (fd_ < 0) {
    int err = errno;
    keep_at_exit(slot_);
    fail("cannot write", err);
  }
  lock_ = ::fcntl(fd_, F_DUPFD_CLOEXEC, 0);
}

// The temporary goes before its lock (lock_): no other lmc ever finds it unlocked while
// this one lives.
PendingFile::~PendingFile() {
  if (fd_ >= 0) ::close(fd_);
  if (stream_ >= 0) ::close(stream_);
  if (!committed_ && !tmp_.empty()) ::unlink(tmp_.c_str());
  if (lock_ >= 0) ::close(lock_);
  keep_at_exit(slot_);
}

void PendingFile::fail(const std::string& what, int err) const {
  std::string through = target_.empty() || target_ == path_ ? "" : " (the file it links to, " + target_ + ")";
  Error e = error_at(path_, what + through + (err ? std::string(": ") + std::strerror(err) : ""));
  if (err == ENOSPC || err == EDQUOT || err == EFBIG) throw NoSpaceLeft(e.what());
  throw e;
}

void PendingFile::write(std::string_view b) {
  if (!write_all(fd_, b.data(), b.size())) fail("cannot write", errno);
  size_ += b.size();
}

void PendingFile::pwrite(std::string_view b, uint64_t offset) {
  if (::pwrite(fd_, b.data(), b.size(), static_cast<off_t>(offset)) != static_cast<ssize_t>(b.size()))
    fail("cannot write", errno);
}

std::string PendingFile::pread(uint64_t offset, uint64_t size) const {
  std::string out(size, '\0');
  if (::pread(fd_, out.data(), size, static_cast<off_t>(offset)) != static_cast<ssize_t>(size))
    fail("cannot read back what was written", errno);
  return out;
}

// The staged bytes, in order, into the stream; both closed after.
void PendingFile::copy_into_stream() {
  std::string buf(std::min<uint64_t>(size_, uint64_t{1} << 20), '\0');
  for (uint64_t at = 0; at < size_;) {
    ssize_t n = ::pread(fd_, buf.data(), std::min<uint64_t>(buf.size(), size_ - at), static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) fail("cannot read back what was written", n < 0 ? errno : EIO);
    if (!write_all(stream_, buf.data(), static_cast<size_t>(n))) fail("cannot write", errno);
    at += static_cast<uint64_t>(n);
  }
  ::close(std::exchange(fd_, -1));
  if (::close(std::exchange(stream_, -1)) != 0 && errno != EINTR) fail("cannot write", errno);
}

void PendingFile::close_for_commit() {
  if (::fsync(fd_) != 0) fail("cannot write", errno);
  if (::close(std::exchange(fd_, -1)) != 0) fail("cannot write", errno);
}

void PendingFile::commit() {
  if (is_stream()) {
    copy_into_stream();
  } else {
    close_for_commit();
    if (std::rename(tmp_.c_str(), target_.c_str()) != 0) fail("cannot write", errno);
  }
  committed_ = true;
  release_lock();
}

void PendingFile::release_lock() {
  if (lock_ >= 0) ::close(std::exchange(lock_, -1));
}

bool PendingFile::commit_new() {
  if (is_stream()) {
    commit();
    return true;
  }
  close_for_commit();
  bool made = ::link(tmp_.c_str(), target_.c_str()) == 0;
  if (!made && errno != EEXIST) fail("cannot write", errno);
  ::unlink(tmp_.c_str());
  committed_ = true;
  release_lock();
  return made;
}

void write_output(const std::string& path, std::string_view bytes) {
  PendingFile f(path);
  f.write(bytes);
  f.commit();
}

}  // namespace lmc::runtime
