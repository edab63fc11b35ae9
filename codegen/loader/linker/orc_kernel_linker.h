// The loader module's linker: one ORC ExecutionSession per object, over this process,
// whose ObjectLinkingLayer (JITLink) places and relocates the object. Only this file and
// the perf map plugin include ORC.
#pragma once
#include <memory>
#include <string>
#include <string_view>

#include "codegen/kernel_loader_module.h"

namespace lmc::codegen {

std::unique_ptr<LinkedKernels> orc_link_kernels(std::string_view object, const std::string& where,
                                                const KernelLoadOptions& options);

}  // namespace lmc::codegen
