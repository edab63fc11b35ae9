#include "support/tile_state.h"

#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

namespace lmc {

namespace {

// arch/x86/include/uapi/asm/prctl.h and the XSAVE component number of tile data.
constexpr int kArchGetXcompPerm = 0x1022;
constexpr int kArchReqXcompPerm = 0x1023;
constexpr int kXfeatureXtiledata = 18;
constexpr uint64_t kTileStateBits = uint64_t{3} << 17;  // XTILECFG and XTILEDATA in XCR0

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

bool cpu_reports_tiles() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, a, b, c, d);
  return ((d >> 24) & 1u) && ((d >> 25) & 1u);  // AMX-TILE, AMX-INT8
}

uint64_t xcr0() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d) || !((c >> 27) & 1u)) return 0;  // OSXSAVE
  uint32_t lo = 0, hi = 0;
  __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  return (uint64_t{hi} << 32) | lo;
}

// What the CPU, the OS and the kernel's permission say, asked once.
TileState ask_the_kernel() {
  TileState s;
  s.cpu_has = cpu_reports_tiles();
  if (!s.cpu_has) {
    s.why_off = "this CPU reports no AMX (cpuid leaf 7: AMX-TILE, AMX-INT8)";
    return s;
  }
  if (uint64_t x = xcr0(); (x & kTileStateBits) != kTileStateBits) {
    s.why_off = "the OS does not enable the tile state (XCR0 = " + hex(x) + ")";
    return s;
  }
  if (syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) != 0) {
    s.why_off = std::string("Linux refused the tile state (arch_prctl ARCH_REQ_XCOMP_PERM: ") + std::strerror(errno) +
                "; Linux 5.16 or later grants it)";
    return s;
  }
  unsigned long permitted = 0;
  if (syscall(SYS_arch_prctl, kArchGetXcompPerm, &permitted) != 0 || !((permitted >> kXfeatureXtiledata) & 1ul)) {
    s.why_off = "Linux did not grant the tile state (ARCH_GET_XCOMP_PERM = " + hex(permitted) + ")";
    return s;
  }
  s.granted = true;
  return s;
}

std::mutex refused_mutex;
std::string refused_for;  // non-empty: refuse_tiles was called
std::string bf16_for;     // non-empty: want_bf16_tiles was called

bool set_in_environment(const char* name) {
  const char* env = std::getenv(name);
  return env && *env && std::strcmp(env, "0") != 0;
}

}  // namespace

TileState tile_state() {
  static const TileState os = ask_the_kernel();
  TileState s = os;
  if (set_in_environment(kNoTilesVariable))
    refuse_tiles(std::string(kNoTilesVariable) + "=" + std::getenv(kNoTilesVariable));
  if (set_in_environment(kBf16TilesVariable))
    want_bf16_tiles(std::string(kBf16TilesVariable) + "=" + std::getenv(kBf16TilesVariable));
  std::lock_guard<std::mutex> lock(refused_mutex);
  s.bf16 = !bf16_for.empty();
  s.refused = !refused_for.empty();
  if (s.granted && s.refused) {
    s.granted = false;
    s.why_off = "turned off by " + refused_for;
  }
  return s;
}

void refuse_tiles(const std::string& why) {
  std::lock_guard<std::mutex> lock(refused_mutex);
  if (refused_for.empty()) refused_for = why;
}

void want_bf16_tiles(const std::string& why) {
  std::lock_guard<std::mutex> lock(refused_mutex);
  if (bf16_for.empty()) bf16_for = why;
}

}  // namespace lmc
