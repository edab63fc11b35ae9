// The kernels a graph runs, found by descriptor key (codegen::describe(op).key()):
// symbol name, work-item shape and the loaded function. Built once from a
// KernelLibrary and the (key, symbol, info) list that the compiler or the
// artifact manifest provides.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "codegen/kernel_abi.h"
#include "codegen/kernel_compiler.h"
#include "codegen/kernel_desc.h"
#include "codegen/kernel_library.h"
#include "ir/graph.h"

namespace lmc::runtime {

struct KernelTable {
  struct Entry {
    std::string symbol;
    codegen::KernelInfo info;
    lmc_kernel_fn fn = nullptr;
  };
  std::map<std::string, Entry> entries;  // by KernelDesc::key()

  // Throws lmc::Error naming the key when no kernel was built for it.
  const Entry& at(const std::string& key) const;
};

// Looks every symbol up in `lib`; throws lmc::Error when one is missing.
KernelTable build_kernel_table(const codegen::KernelLibrary& lib, const std::vector<codegen::KernelEntry>& kernels);

// Adds the descriptor of every op of `g` that runs a kernel to `compiler`
// (identical descriptors share one kernel).
void add_graph_kernels(codegen::KernelCompiler& compiler, const ir::Graph& g);

}  // namespace lmc::runtime
