#include "tools/lmc/jit_flags.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "codegen/kernel_load_options.h"
#include "support/tile_state.h"

namespace lmc::tools {

FlagSpec amx_flag_spec() {
  return {"no-amx", false,
          "never use the CPU's AMX tiles: generate and run VNNI/AVX kernels instead (also LMC_NO_AMX=1)"};
}

void apply_amx_flag(const Args& a) {
  if (a.has("no-amx")) refuse_tiles("--no-amx");
  // A CPU with tiles that this process may not use is worth a line; one without is not.
  static std::once_flag said;
  TileState s = tile_state();
  if (s.cpu_has && !s.granted && !s.refused)
    std::call_once(said, [&] { std::fprintf(stderr, "lmc: AMX tiles off: %s\n", s.why_off.c_str()); });
}

std::vector<FlagSpec> jit_flag_specs() {
  return {
      amx_flag_spec(),
      {"perf-map", false,
       "name every kernel with its addresses in /tmp/perf-<pid>.map for perf report "
       "(also LMC_PERF=1)"},
      {"debug-jit", false, "register the kernels with GDB's JIT interface, so a backtrace names them"},
  };
}

void apply_jit_flags(const Args& a) {
  apply_amx_flag(a);
  const char* env = std::getenv("LMC_PERF");
  codegen::KernelLoadOptions o;
  o.perf_map = a.has("perf-map") || (env && std::strcmp(env, "1") == 0);
  o.debug_jit = a.has("debug-jit");
  codegen::set_kernel_load_options(o);
}

}  // namespace lmc::tools
