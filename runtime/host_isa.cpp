#include "runtime/host_isa.h"

#include <cpuid.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <map>
#include <utility>

#include "support/tile_state.h"

namespace lmc::runtime {

namespace {

enum Reg { EAX, EBX, ECX, EDX };

// Register state the OS must save for a feature's instructions to work (XCR0 bits).
enum class State { None, Ymm, Zmm, Amx };

struct Bit {
  const char* name;  // LLVM's feature name
  uint32_t leaf, subleaf;
  Reg reg;
  int bit;
  State state = State::None;
};

// The extensions LLVM may enable for an x86-64 target, by where cpuid reports them.
const Bit kBits[] = {
    {"64bit", 0x80000001, 0, EDX, 29},
    {"cmov", 1, 0, EDX, 15},
    {"cx8", 1, 0, EDX, 8},
    {"fxsr", 1, 0, EDX, 24},
    {"mmx", 1, 0, EDX, 23},
    {"sse", 1, 0, EDX, 25},
    {"sse2", 1, 0, EDX, 26},
    {"sse3", 1, 0, ECX, 0},
    {"pclmul", 1, 0, ECX, 1},
    {"ssse3", 1, 0, ECX, 9},
    {"fma", 1, 0, ECX, 12, State::Ymm},
    {"cx16", 1, 0, ECX, 13},
    {"sse4.1", 1, 0, ECX, 19},
    {"sse4.2", 1, 0, ECX, 20},
    {"crc32", 1, 0, ECX, 20},
    {"movbe", 1, 0, ECX, 22},
    {"popcnt", 1, 0, ECX, 23},
    {"aes", 1, 0, ECX, 25},
    {"xsave", 1, 0, ECX, 26},
    {"avx", 1, 0, ECX, 28, State::Ymm},
    {"f16c", 1, 0, ECX, 29, State::Ymm},
    {"rdrnd", 1, 0, ECX, 30},
    {"fsgsbase", 7, 0, EBX, 0},
    {"sgx", 7, 0, EBX, 2},
    {"bmi", 7, 0, EBX, 3},
    {"avx2", 7, 0, EBX, 5, State::Ymm},
    {"bmi2", 7, 0, EBX, 8},
    {"invpcid", 7, 0, EBX, 10},
    {"rtm", 7, 0, EBX, 11},
    {"avx512f", 7, 0, EBX, 16, State::Zmm},
    {"evex512", 7, 0, EBX, 16, State::Zmm},
    {"avx512dq", 7, 0, EBX, 17, State::Zmm},
    {"rdseed", 7, 0, EBX, 18},
    {"adx", 7, 0, EBX, 19},
    {"avx512ifma", 7, 0, EBX, 21, State::Zmm},
    {"clflushopt", 7, 0, EBX, 23},
    {"clwb", 7, 0, EBX, 24},
    {"avx512cd", 7, 0, EBX, 28, State::Zmm},
    {"sha", 7, 0, EBX, 29},
    {"avx512bw", 7, 0, EBX, 30, State::Zmm},
    {"avx512vl", 7, 0, EBX, 31, State::Zmm},
    {"prefetchwt1", 7, 0, ECX, 0},
    {"avx512vbmi", 7, 0, ECX, 1, State::Zmm},
    {"pku", 7, 0, ECX, 4},
    {"waitpkg", 7, 0, ECX, 5},
    {"avx512vbmi2", 7, 0, ECX, 6, State::Zmm},
    {"shstk", 7, 0, ECX, 7},
    {"gfni", 7, 0, ECX, 8},
    {"vaes", 7, 0, ECX, 9, State::Ymm},
    {"vpclmulqdq", 7, 0, ECX, 10, State::Ymm},
    {"avx512vnni", 7, 0, ECX, 11, State::Zmm},
    {"avx512bitalg", 7, 0, ECX, 12, State::Zmm},
    {"avx512vpopcntdq", 7, 0, ECX, 14, State::Zmm},
    {"rdpid", 7, 0, ECX, 22},
    {"kl", 7, 0, ECX, 23},
    {"cldemote", 7, 0, ECX, 25},
    {"movdiri", 7, 0, ECX, 27},
    {"movdir64b", 7, 0, ECX, 28},
    {"enqcmd", 7, 0, ECX, 29},
    {"uintr", 7, 0, EDX, 5},
    {"avx512vp2intersect", 7, 0, EDX, 8, State::Zmm},
    {"serialize", 7, 0, EDX, 14},
    {"tsxldtrk", 7, 0, EDX, 16},
    {"pconfig", 7, 0, EDX, 18},
    {"amx-bf16", 7, 0, EDX, 22, State::Amx},
    {"avx512fp16", 7, 0, EDX, 23, State::Zmm},
    {"amx-tile", 7, 0, EDX, 24, State::Amx},
    {"amx-int8", 7, 0, EDX, 25, State::Amx},
    {"sha512", 7, 1, EAX, 0, State::Ymm},
    {"avxvnni", 7, 1, EAX, 4, State::Ymm},
    {"avx512bf16", 7, 1, EAX, 5, State::Zmm},
    {"cmpccxadd", 7, 1, EAX, 7},
    {"amx-fp16", 7, 1, EAX, 21, State::Amx},
    {"hreset", 7, 1, EAX, 22},
    {"avxifma", 7, 1, EAX, 23, State::Ymm},
    {"avxvnniint8", 7, 1, EDX, 4, State::Ymm},
    {"avxneconvert", 7, 1, EDX, 5, State::Ymm},
    {"prefetchi", 7, 1, EDX, 14},
    {"xsaveopt", 0xd, 1, EAX, 0},
    {"xsavec", 0xd, 1, EAX, 1},
    {"xsaves", 0xd, 1, EAX, 3},
    {"sahf", 0x80000001, 0, ECX, 0},
    {"lzcnt", 0x80000001, 0, ECX, 5},
    {"sse4a", 0x80000001, 0, ECX, 6},
    {"prfchw", 0x80000001, 0, ECX, 8},
    {"xop", 0x80000001, 0, ECX, 11, State::Ymm},
    {"lwp", 0x80000001, 0, ECX, 15},
    {"fma4", 0x80000001, 0, ECX, 16, State::Ymm},
    {"tbm", 0x80000001, 0, ECX, 21},
    {"mwaitx", 0x80000001, 0, ECX, 29},
    {"clzero", 0x80000008, 0, EBX, 0},
    {"rdpru", 0x80000008, 0, EBX, 4},
    {"wbnoinvd", 0x80000008, 0, EBX, 9},
};

// What cpuid and xgetbv report, read once per check: under a hypervisor every cpuid
// is a VM exit, and a native target's list names some 90 features.
class Host {
 public:
  Host() : max_basic_(__get_cpuid_max(0, nullptr)), max_extended_(__get_cpuid_max(0x80000000u, nullptr)) {
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d) && ((c >> 27) & 1u)) {  // OSXSAVE: xgetbv may be used
      uint32_t lo, hi;
      __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
      xcr0_ = (uint64_t{hi} << 32) | lo;
    }
  }

  bool has(const Bit& b) { return cpuid_bit(b) && os_saves(b.state); }

 private:
  bool cpuid_bit(const Bit& b) {
    if (b.leaf > ((b.leaf & 0x80000000u) ? max_extended_ : max_basic_)) return false;
    auto [it, fresh] = leaves_.try_emplace({b.leaf, b.subleaf});
    std::array<unsigned, 4>& r = it->second;
    if (fresh) __cpuid_count(b.leaf, b.subleaf, r[EAX], r[EBX], r[ECX], r[EDX]);
    return (r[b.reg] >> b.bit) & 1u;
  }

  // The register state the OS saves (XCR0) covers the feature's registers.
  bool os_saves(State s) const {
    constexpr uint64_t kYmm = 0x6, kZmm = 0xe6, kAmx = 0x60000;
    switch (s) {
      case State::None:
        return true;
      case State::Ymm:
        return (xcr0_ & kYmm) == kYmm;
      case State::Zmm:
        return (xcr0_ & kZmm) == kZmm;
      case State::Amx:  // and this process holds the tile state (support/tile_state.h)
        return (xcr0_ & kAmx) == kAmx && tile_state().granted;
    }
    return false;
  }

  unsigned max_basic_, max_extended_;
  uint64_t xcr0_ = 0;
  std::map<std::pair<uint32_t, uint32_t>, std::array<unsigned, 4>> leaves_;
};

const Bit* find_bit(const std::string& name) {
  for (const Bit& b : kBits)
    if (name == b.name) return &b;
  return nullptr;
}

}  // namespace

std::optional<std::vector<std::string>> missing_isa(const std::vector<std::string>& isa) {
  Host host;
  std::vector<std::string> missing;
  for (const std::string& name : isa) {
    const Bit* b = find_bit(name);
    if (!b) return std::nullopt;
    if (!host.has(*b)) missing.push_back(name);
  }
  return missing;
}

std::string host_cpu_identity() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  __get_cpuid(0, &a, &b, &c, &d);
  char vendor[13] = {};
  std::memcpy(vendor, &b, 4);
  std::memcpy(vendor + 4, &d, 4);
  std::memcpy(vendor + 8, &c, 4);
  unsigned signature = 0;
  __get_cpuid(1, &signature, &b, &c, &d);
  std::string id = std::string(vendor) + " " + std::to_string(signature);
  Host host;
  for (const Bit& bit : kBits)
    if (host.has(bit)) id += std::string(" ") + bit.name;
  return id;
}

std::vector<std::string> missing_target_features(const codegen::TargetSpec& target,
                                                 const std::vector<std::string>& isa) {
  if (isa.empty()) return codegen::missing_host_features(target);
  // The features the spec names outright count even if the list left them out.
  std::vector<std::string> names = isa;
  for (const auto& f : codegen::split_features(target.features))
    if (f[0] == '+' && std::find(names.begin(), names.end(), f.substr(1)) == names.end()) names.push_back(f.substr(1));
  if (auto missing = missing_isa(names)) return *missing;
  return codegen::missing_host_features(target);
}

}  // namespace lmc::runtime
