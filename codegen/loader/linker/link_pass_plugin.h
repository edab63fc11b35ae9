// The base of lmc's JITLink plugins (link_graph_guard.h, perf_map_plugin.h): each adds passes
// to a link (modifyPassConfig) and keeps no resources, so ORC's resource notifications are
// nothing to it.
#pragma once
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>

namespace lmc::codegen {

class LinkPassPlugin : public llvm::orc::ObjectLinkingLayer::Plugin {
 public:
  llvm::Error notifyFailed(llvm::orc::MaterializationResponsibility&) override { return llvm::Error::success(); }
  llvm::Error notifyRemovingResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey) override {
    return llvm::Error::success();
  }
  void notifyTransferringResources(llvm::orc::JITDylib&, llvm::orc::ResourceKey, llvm::orc::ResourceKey) override {}
};

}  // namespace lmc::codegen
