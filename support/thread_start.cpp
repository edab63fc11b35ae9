#include "support/thread_start.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "support/error.h"

namespace lmc {

namespace {

std::string megabytes(double bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", bytes / (1 << 20));
  return buf;
}

// The stack a new thread asks for: glibc's default, from `ulimit -s`.
size_t default_stack_bytes() {
  pthread_attr_t attr;
  size_t bytes = 0;
  if (pthread_getattr_default_np(&attr) != 0) return 0;
  pthread_attr_getstacksize(&attr, &bytes);
  pthread_attr_destroy(&attr);
  return bytes;
}

// The process's address space in use (/proc/self/statm's first field), 0 when unknown.
double address_space_in_use() {
  std::ifstream statm("/proc/self/statm");
  double pages = 0;
  statm >> pages;
  return pages * static_cast<double>(::sysconf(_SC_PAGESIZE));
}

}  // namespace

// The address space under `ulimit -v`, the user's processes under `ulimit -u`, or else the
// system's own bound.
std::string thread_refusal(const std::system_error& e) {
  const size_t stack = default_stack_bytes();
  rlimit as{}, nproc{};
  if (::getrlimit(RLIMIT_AS, &as) == 0 && as.rlim_cur != RLIM_INFINITY) {
    const double in_use = address_space_in_use();
    if (in_use + static_cast<double>(stack) > static_cast<double>(as.rlim_cur))
      return "out of address space: its stack of " + megabytes(static_cast<double>(stack)) +
             " does not fit under ulimit -v " + std::to_string(as.rlim_cur / 1024) + " (" +
             megabytes(static_cast<double>(as.rlim_cur)) + ", " + megabytes(in_use) +
             " of it in use): raise ulimit -v, or lower ulimit -s";
  }
  if (::getrlimit(RLIMIT_NPROC, &nproc) == 0 && nproc.rlim_cur != RLIM_INFINITY)
    return std::string(e.what()) + ": the user's processes and threads may be at ulimit -u " +
           std::to_string(nproc.rlim_cur) + ", or the system's at /proc/sys/kernel/threads-max";
  const std::string stack_size = megabytes(static_cast<double>(stack));
  return std::string(e.what()) + ": the system's threads may be at /proc/sys/kernel/threads-max, or its memory " +
         "short of a " + stack_size + " stack";
}

void throw_thread_refused(const std::system_error& e, const std::string& purpose) {
  throw Error("lmc: error: cannot start a thread to " + purpose + ": " + thread_refusal(e));
}

}  // namespace lmc
