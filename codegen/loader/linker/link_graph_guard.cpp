#include "codegen/loader/linker/link_graph_guard.h"

#include <llvm/ExecutionEngine/JITLink/x86_64.h>

namespace lmc::codegen {

namespace {

namespace x86 = llvm::jitlink::x86_64;

// The bytes a relocation of `kind` rewrites at its offset.
uint64_t fixup_bytes(llvm::jitlink::Edge::Kind kind) {
  switch (kind) {
    case x86::Pointer64:
    case x86::Delta64:
    case x86::NegDelta64:
    case x86::Delta64FromGOT:
    case x86::RequestGOTAndTransformToDelta64:
    case x86::RequestGOTAndTransformToDelta64FromGOT:
      return 8;
    case x86::Pointer16:
      return 2;
    case x86::Pointer8:
    case x86::Delta8:
      return 1;
    default:
      return 4;
  }
}

// GOT-load relaxation reads and rewrites the instruction's opcode and REX bytes in front
// of the displacement.
uint64_t bytes_before(llvm::jitlink::Edge::Kind kind) {
  switch (kind) {
    case x86::PCRel32GOTLoadRelaxable:
    case x86::PCRel32GOTLoadREXRelaxable:
    case x86::RequestGOTAndTransformToPCRel32GOTLoadREXRelaxable:
    case x86::RequestGOTAndTransformToPCRel32GOTLoadRelaxable:
    case x86::PCRel32TLVPLoadREXRelaxable:
    case x86::RequestTLVPAndTransformToPCRel32TLVPLoadREXRelaxable:
      return 3;
    default:
      return 0;
  }
}

llvm::Error drop_unwind_tables(llvm::jitlink::LinkGraph& graph) {
  if (llvm::jitlink::Section* unwind = graph.findSectionByName(".eh_frame")) graph.removeSection(*unwind);
  return llvm::Error::success();
}

llvm::Error check_relocations(llvm::jitlink::LinkGraph& graph) {
  for (llvm::jitlink::Block* block : graph.blocks()) {
    uint64_t size = block->getSize();
    for (const llvm::jitlink::Edge& e : block->edges()) {
      uint64_t at = e.getOffset();
      if (at < bytes_before(e.getKind()) || at > size || size - at < fixup_bytes(e.getKind()))
        return llvm::createStringError("a relocation at offset " + std::to_string(at) + " of section " +
                                       block->getSection().getName().str() + " lies outside its " +
                                       std::to_string(size) + "-byte block");
    }
  }
  return llvm::Error::success();
}

}  // namespace

void LinkGraphGuard::modifyPassConfig(llvm::orc::MaterializationResponsibility&, llvm::jitlink::LinkGraph&,
                                      llvm::jitlink::PassConfiguration& config) {
  config.PrePrunePasses.insert(config.PrePrunePasses.begin(), check_relocations);
  config.PrePrunePasses.insert(config.PrePrunePasses.begin(), drop_unwind_tables);
}

}  // namespace lmc::codegen
