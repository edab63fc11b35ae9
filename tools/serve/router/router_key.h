// The key the router's models' servers require (--api-key-file), so that their loopback
// ports answer the router alone, not any process of this machine: random, in a file only
// this user may read (a command line is every user's to read), removed when the router ends,
// by a signal too (support/exit_removals.h).
#pragma once
#include <string>

namespace lmc::tools {

class RouterKey {
 public:
  RouterKey();  // throws lmc::Error when the file cannot be written
  ~RouterKey();
  RouterKey(const RouterKey&) = delete;
  RouterKey& operator=(const RouterKey&) = delete;

  const std::string& key() const { return key_; }
  const std::string& file() const { return file_; }

 private:
  std::string key_, file_;
  int exit_slot_ = -1;
};

}  // namespace lmc::tools
