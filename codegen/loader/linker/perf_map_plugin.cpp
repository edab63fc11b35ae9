#include "codegen/loader/linker/perf_map_plugin.h"

#include <unistd.h>

#include <cstdio>
#include <string>

namespace lmc::codegen {

namespace {

llvm::Error append_functions(llvm::jitlink::LinkGraph& graph) {
  std::string path = "/tmp/perf-" + std::to_string(getpid()) + ".map";
  std::string lines;
  for (llvm::jitlink::Symbol* s : graph.defined_symbols()) {
    if (!s->isCallable() || !s->hasName() || s->getSize() == 0) continue;
    char range[48];
    std::snprintf(range, sizeof range, "%llx %llx ", static_cast<unsigned long long>(s->getAddress().getValue()),
                  static_cast<unsigned long long>(s->getSize()));
    lines += range + s->getName().str() + "\n";
  }
  // Appended in one write: several objects may be linked into one process.
  std::FILE* f = std::fopen(path.c_str(), "a");
  bool written = f && std::fwrite(lines.data(), 1, lines.size(), f) == lines.size();
  if (f && std::fclose(f) != 0) written = false;
  if (!written) return llvm::createStringError("cannot write the perf map " + path);
  return llvm::Error::success();
}

}  // namespace

void PerfMapPlugin::modifyPassConfig(llvm::orc::MaterializationResponsibility&, llvm::jitlink::LinkGraph&,
                                     llvm::jitlink::PassConfiguration& config) {
  config.PostFixupPasses.push_back(append_functions);
}

}  // namespace lmc::codegen
