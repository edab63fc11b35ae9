// A JITLink plugin that stands between an untrusted object and JITLink's own passes,
// which trust what they read (the ELF reader checks the file's tables, not what they
// mean): before any of them runs it drops the unwind tables — kernels never unwind, and
// JITLink's .eh_frame parser follows the records' lengths and CIE pointers unchecked —
// and refuses any relocation whose bytes lie outside its block, which the fixups would
// otherwise write out of bounds. Found by driving ORC with corrupt copies of an object.
#pragma once
#include "codegen/loader/linker/link_pass_plugin.h"

namespace lmc::codegen {

class LinkGraphGuard final : public LinkPassPlugin {
 public:
  void modifyPassConfig(llvm::orc::MaterializationResponsibility& mr, llvm::jitlink::LinkGraph& graph,
                        llvm::jitlink::PassConfiguration& config) override;
};

}  // namespace lmc::codegen
