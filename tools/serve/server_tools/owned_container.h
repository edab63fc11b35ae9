// The container `--tools-runtime docker:IMAGE` (or podman:IMAGE) starts for the server's
// tools: `ENGINE run --rm -i IMAGE sh`, its shell kept waiting on a stdin the server holds
// open. Every call without an x-tool-runtime of its own runs in it (started again if it
// died); when the server stops, closing that stdin ends the shell and --rm removes the
// container (killed and removed if it does not end in time).
#pragma once
#include <sys/types.h>

#include <mutex>
#include <string>

namespace lmc::tools::server_tools {

class OwnedContainer {
 public:
  // Throws std::runtime_error naming the engine and image when it cannot start one.
  OwnedContainer(std::string engine, std::string image);
  ~OwnedContainer();
  OwnedContainer(const OwnedContainer&) = delete;
  OwnedContainer& operator=(const OwnedContainer&) = delete;
  // "ENGINE-container:ID" of the running container.
  std::string spec();

 private:
  void start();
  void stop();

  std::string engine_, image_, id_;
  pid_t pid_ = -1;      // the `ENGINE run` client
  int stdin_fd_ = -1;   // its stdin, held open
  std::mutex mutex_;
};

}  // namespace lmc::tools::server_tools
