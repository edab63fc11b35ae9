// A file with no name, in memory (memfd_create): where a library or program that writes only
// to a path or a descriptor of its own choosing (libedit's history, Graphviz's dot) leaves its
// bytes, for lmc to write where its outputs go (support/pending_file.h) rather than letting
// it open the user's file itself. Gone with the object, whatever ends the process.
#pragma once
#include <string>

namespace lmc::runtime {

class AnonymousFile {
 public:
  // Throws lmc::Error when the kernel refuses one.
  AnonymousFile();
  ~AnonymousFile();
  AnonymousFile(const AnonymousFile&) = delete;
  AnonymousFile& operator=(const AnonymousFile&) = delete;

  int fd() const { return fd_; }
  // A path that opens it again, for code that takes a path: /proc/self/fd/N.
  std::string path() const;
  // Everything written to it, from its start.
  std::string contents() const;

 private:
  int fd_;
};

}  // namespace lmc::runtime
