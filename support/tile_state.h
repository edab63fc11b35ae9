#pragma once
// Whether this process may run the CPU's AMX tile instructions. Linux keeps a process's
// tile state (XTILEDATA, 8 KiB a thread) off until the process asks for it with
// arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA); the grant is the whole process's,
// threads started later included, and a tile instruction before it faults. cpuid and XCR0
// alone say only that the CPU and the OS could: a hypervisor may hide the tiles (cpuid),
// an OS not save them (XCR0), a kernel older than 5.16 not know the request. The request
// is made once, at the first question; `--no-amx` or LMC_NO_AMX=1 keep the tiles off.
// Where granted, prefill's linears take the kernel the tune-prefill pass measured fastest,
// or the one asked for: `--amx-bf16` (LMC_AMX_BF16=1) asks for the bf16 tile GEMM
// (codegen/llvm/linear/bf16_tiles.h) on every linear and attention the target offers it.
#include <string>

namespace lmc {

struct TileState {
  bool granted = false;  // tile code may run in this process
  bool cpu_has = false;  // cpuid reports AMX-TILE and AMX-INT8
  bool refused = false;  // the user turned them off (refuse_tiles, LMC_NO_AMX), whether or not
                         // the CPU has them: a compile's cache key holds what was asked
  std::string why_off;   // one line: why not, when !granted
  bool bf16 = false;     // the bf16 tile GEMM is asked for (want_bf16_tiles, LMC_AMX_BF16)
};

// Asks the kernel once per process (thread-safe), then answers from memory.
TileState tile_state();

// Keeps the tiles off in this process from now on, for `why` ("--no-amx"): code compiled
// afterwards does not use them and an artifact that does is refused.
void refuse_tiles(const std::string& why);

// Asks for the bf16 tile GEMM from now on, for `why` ("--amx-bf16"): compiles then force it
// on every linear and attention where the target has AMX-BF16 (tune-prefill's kernel=).
void want_bf16_tiles(const std::string& why);

// The environment variable that keeps the tiles off, set to anything but "0".
inline constexpr const char* kNoTilesVariable = "LMC_NO_AMX";
// The environment variable that asks for the bf16 tile GEMM, set to anything but "0".
inline constexpr const char* kBf16TilesVariable = "LMC_AMX_BF16";

}  // namespace lmc
