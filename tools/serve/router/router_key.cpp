#include "tools/serve/router/router_key.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>

#include "support/error.h"
#include "support/exit_removals.h"

namespace lmc::tools {

RouterKey::RouterKey() {
  std::random_device random;
  char hex[33];
  for (int i = 0; i < 32; i += 8) std::snprintf(hex + i, 9, "%08x", static_cast<unsigned>(random()));
  key_ = hex;
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/lmc-router-key-XXXXXX";
  const int fd = ::mkstemp(path.data());  // mode 0600
  if (fd < 0) throw Error("lmc serve's router cannot write its key file '" + path + "': " + std::strerror(errno));
  file_ = path;
  exit_slot_ = remove_at_exit(file_);
  const std::string line = key_ + "\n";
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!written) {
    ::unlink(file_.c_str());
    keep_at_exit(exit_slot_);
    throw Error("lmc serve's router cannot write its key file '" + file_ + "'");
  }
}

RouterKey::~RouterKey() {
  ::unlink(file_.c_str());
  keep_at_exit(exit_slot_);
}

}  // namespace lmc::tools
