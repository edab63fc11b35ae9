// What a loaded kernel object tells the tools that watch the process. Both are off by
// default, and then nothing is written or registered.
#pragma once

namespace lmc::codegen {

struct KernelLoadOptions {
  // Append every kernel's address range and name to /tmp/perf-<pid>.map, where perf
  // report looks up addresses outside any mapped file.
  bool perf_map = false;
  // Register the linked object with GDB's JIT interface, so a backtrace names kernels.
  bool debug_jit = false;
};

// The options every later load uses. Process-wide, because both outlets are: perf reads
// one map per process and GDB one list of objects. Set by the command line before any load.
void set_kernel_load_options(const KernelLoadOptions& options);
const KernelLoadOptions& kernel_load_options();

}  // namespace lmc::codegen
