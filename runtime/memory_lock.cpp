#include "runtime/memory_lock.h"

#include <sys/mman.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>

namespace lmc::runtime {

namespace {

std::string limit_hint() {
  struct rlimit r{};
  if (::getrlimit(RLIMIT_MEMLOCK, &r) != 0 || r.rlim_cur == RLIM_INFINITY) return "";
  return " (the locked-memory limit is " + std::to_string(r.rlim_cur / 1024) +
         " KB: raise it with `ulimit -l unlimited`, or LimitMEMLOCK= in a systemd unit)";
}

}  // namespace

MemoryLock lock_in_memory(const WeightProvider& w) {
  MemoryLock out;
  for (std::string_view span : w.spans()) {
    if (span.empty()) continue;
    if (::mlock(span.data(), span.size()) != 0) {
      int err = errno;
      out.failure = std::string("cannot lock ") + std::to_string(span.size()) +
                    " bytes of weights in memory: " + std::strerror(err) +
                    (err == ENOMEM || err == EPERM ? limit_hint() : "");
      return out;
    }
    out.locked += span.size();
  }
  return out;
}

}  // namespace lmc::runtime
