// A thread the system will not start (support/thread_start.h): under a `ulimit -v` with no
// room for another stack, the error says the address space ran out, how large the stack
// asked for is, and the limit, where std::async says only "Resource temporarily unavailable".
#include "support/thread_start.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <future>
#include <string>
#include <vector>

#include "support/error.h"

namespace lmc {
namespace {

// The message start_async throws in a child process whose address space has 2 MB left.
std::string refusal_under_a_tight_limit() {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    std::ifstream statm("/proc/self/statm");
    rlim_t pages = 0;
    statm >> pages;
    const rlim_t limit = pages * static_cast<rlim_t>(::sysconf(_SC_PAGESIZE)) + (2 << 20);
    rlimit tight{limit, limit};
    ::setrlimit(RLIMIT_AS, &tight);
    // Threads that wait, until one cannot start: the stacks glibc keeps from threads that
    // ended are taken first, then a new one is asked for.
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::vector<std::future<void>> running;
    std::string said = "no error";
    try {
      for (int i = 0; i < 256; ++i) running.push_back(start_async("test", [released] { released.wait(); }));
    } catch (const Error& e) {
      said = e.what();
    }
    if (::write(fds[1], said.data(), said.size()) < 0) ::_exit(2);
    ::_exit(0);  // the waiting threads end with the process
  }
  ::close(fds[1]);
  std::string got;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return got;
}

TEST(ThreadStart, AStackPastUlimitVIsSaidAsTheAddressSpace) {
  const std::string said = refusal_under_a_tight_limit();
  EXPECT_NE(said.find("cannot start a thread to test: out of address space: its stack of "), std::string::npos) << said;
  EXPECT_NE(said.find("does not fit under ulimit -v "), std::string::npos) << said;
  EXPECT_NE(said.find("of it in use"), std::string::npos) << said;
}

}  // namespace
}  // namespace lmc
