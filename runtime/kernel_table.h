// The kernels a graph runs, found by descriptor key (codegen::describe(op).key()):
// symbol name, work-item shape and the loaded function. Built once from a
// KernelLibrary and the (key, symbol, info) list that the compiler derives from the
// graph; an artifact manifest's copy of that list is checked against it, never used.
#pragma once
#include <map>
#include <string>
#include <vector>

#include "codegen/kernel_abi.h"
#include "codegen/kernel_compiler.h"
#include "codegen/kernel_desc.h"
#include "codegen/kernel_library.h"
#include "codegen/kernel_plan.h"
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
// (identical descriptors share one kernel). `file` is where the graph came from (an IR
// file, a model YAML, "<artifact>:ir"): codegen names only a kernel key, so an op it
// refuses is reported as "<file>:<line>: error: op 'linear' defining %y (line 3): ...".
void add_graph_kernels(codegen::KernelCompiler& compiler, const ir::Graph& g, const std::string& file);

// The (key, symbol, work items) list compiling `g` (read from `file`) gives, derived
// without LLVM (codegen::KernelPlan).
std::vector<codegen::KernelEntry> graph_kernel_entries(const ir::Graph& g, const std::string& file);

// Throws lmc::Error "<where>: error: ..." unless `recorded` (an artifact manifest's kernel
// table) lists exactly the kernels of `derived`, with the same symbols and work items.
void check_kernel_entries(const std::vector<codegen::KernelEntry>& derived,
                          const std::vector<codegen::KernelEntry>& recorded, const std::string& where);

}  // namespace lmc::runtime
