#include "tools/lmc/jit_flags.h"

#include <cstdlib>
#include <cstring>

#include "codegen/kernel_load_options.h"

namespace lmc::tools {

std::vector<FlagSpec> jit_flag_specs() {
  return {
      {"perf-map", false,
       "name every kernel with its addresses in /tmp/perf-<pid>.map for perf report "
       "(also LMC_PERF=1)"},
      {"debug-jit", false, "register the kernels with GDB's JIT interface, so a backtrace names them"},
  };
}

void apply_jit_flags(const Args& a) {
  const char* env = std::getenv("LMC_PERF");
  codegen::KernelLoadOptions o;
  o.perf_map = a.has("perf-map") || (env && std::strcmp(env, "1") == 0);
  o.debug_jit = a.has("debug-jit");
  codegen::set_kernel_load_options(o);
}

}  // namespace lmc::tools
