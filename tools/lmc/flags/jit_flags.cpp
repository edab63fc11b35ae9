#include "tools/lmc/flags/jit_flags.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include "codegen/kernel_load_options.h"
#include "support/tile_state.h"

namespace lmc::tools {

std::vector<FlagSpec> amx_flag_specs() {
  return {{"no-amx", false,
           "never use the CPU's AMX tiles: generate and run VNNI/AVX kernels instead, so prefill's kernels need "
           "no tuning (also LMC_NO_AMX=1)"},
          {"amx-bf16", false,
           "where the AMX tiles are granted, run prompts of 64 tokens or more on bf16 tiles instead of the kernels "
           "--tune measures: the linears as a GEMM accumulating in f32 across K, attention's two products (low bits "
           "change; --prefill-kernel=bf16_tiles; also LMC_AMX_BF16=1)"}};
}

void apply_amx_flag(const Args& a) {
  if (a.has("no-amx")) refuse_tiles("--no-amx");
  if (a.has("amx-bf16")) want_bf16_tiles("--amx-bf16");
  // A CPU with tiles that this process may not use is worth a line; one without is not.
  static std::once_flag said;
  TileState s = tile_state();
  if (s.cpu_has && !s.granted && !s.refused)
    std::call_once(said, [&] { std::fprintf(stderr, "lmc: AMX tiles off: %s\n", s.why_off.c_str()); });
}

std::vector<FlagSpec> jit_flag_specs() {
  std::vector<FlagSpec> s = amx_flag_specs();
  s.insert(s.end(),
           {
               {"perf-map", false,
                "name every kernel with its addresses in /tmp/perf-<pid>.map for perf report "
                "(also LMC_PERF=1)"},
               {"debug-jit", false, "register the kernels with GDB's JIT interface, so a backtrace names them"},
           });
  return s;
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
