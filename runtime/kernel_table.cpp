#include "runtime/kernel_table.h"

#include "codegen/describe_op.h"
#include "ir/error.h"

namespace lmc::runtime {

const KernelTable::Entry& KernelTable::at(const std::string& key) const {
  auto it = entries.find(key);
  if (it == entries.end()) throw Error("runtime: error: no kernel was built for " + key);
  return it->second;
}

KernelTable build_kernel_table(const codegen::KernelLibrary& lib, const std::vector<codegen::KernelEntry>& kernels) {
  KernelTable table;
  for (const codegen::KernelEntry& k : kernels) table.entries[k.key] = {k.name, k.info, lib.lookup(k.name)};
  return table;
}

void add_graph_kernels(codegen::KernelCompiler& compiler, const ir::Graph& g) {
  for (const auto& op : g.ops())
    if (codegen::needs_kernel(*op)) compiler.add(codegen::describe(*op));
}

}  // namespace lmc::runtime
