// A JITLink plugin that appends every function of each object it links to perf's map of
// JIT code, /tmp/perf-<pid>.map ("<start> <size> <name>" in hex), once its address is
// final: perf report then names samples in kernels, which are in no file it can read.
// (ORC's own PerfSupportPlugin writes a jitdump through a process-control bootstrap
// symbol the loader module's hidden copy of ORC does not export, and needs perf inject.)
#pragma once
#include "codegen/loader/linker/link_pass_plugin.h"

namespace lmc::codegen {

class PerfMapPlugin final : public LinkPassPlugin {
 public:
  void modifyPassConfig(llvm::orc::MaterializationResponsibility& mr, llvm::jitlink::LinkGraph& graph,
                        llvm::jitlink::PassConfiguration& config) override;
};

}  // namespace lmc::codegen
