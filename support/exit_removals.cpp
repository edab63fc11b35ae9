#include "support/exit_removals.h"

#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <csignal>
#include <cstring>
#include <mutex>

namespace lmc {

namespace {

// Outputs and locks held at once: an artifact and its kernel objects, a cache entry's lock
// and description, a dump or two.
constexpr int kSlots = 16;
struct Slot {
  std::atomic<bool> used{false};
  char path[PATH_MAX] = {};
};
std::array<Slot, kSlots> g_slots;
// Commands and MCP servers running at once.
constexpr int kGroups = 64;
std::array<std::atomic<int>, kGroups> g_groups{};  // 0: free
constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP};

extern "C" void remove_then_die(int sig) {
  remove_exit_files_now();
  std::signal(sig, SIG_DFL);
  std::raise(sig);  // die of the signal, as without the handler
}

// Installed once, and only for a signal left at its default: not one the process was told
// to ignore (nohup), nor one it handles itself.
void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : kSignals) {
      struct sigaction old{};
      if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL) continue;
      struct sigaction sa{};
      sa.sa_handler = remove_then_die;
      sigemptyset(&sa.sa_mask);
      ::sigaction(sig, &sa, nullptr);
    }
  });
}

}  // namespace

int remove_at_exit(const std::string& path) {
  install_handlers();
  static std::mutex m;
  std::lock_guard<std::mutex> lock(m);
  if (path.size() >= PATH_MAX) return -1;
  for (int i = 0; i < kSlots; ++i) {
    if (g_slots[i].used.load()) continue;
    std::memcpy(g_slots[i].path, path.c_str(), path.size() + 1);
    g_slots[i].used.store(true);
    return i;
  }
  return -1;
}

void keep_at_exit(int slot) {
  if (slot >= 0) g_slots[slot].used.store(false);
}

int kill_group_at_exit(int group) {
  install_handlers();
  for (int i = 0; i < kGroups; ++i) {
    int free = 0;
    if (g_groups[i].compare_exchange_strong(free, group)) return i;
  }
  return -1;
}

void keep_group_at_exit(int slot) {
  if (slot >= 0) g_groups[slot].store(0);
}

void remove_exit_files_now() noexcept {
  for (Slot& s : g_slots)
    if (s.used.load()) ::unlink(s.path);
  for (auto& g : g_groups)
    if (int group = g.load(); group > 0) ::kill(-group, SIGKILL);
}

}  // namespace lmc
