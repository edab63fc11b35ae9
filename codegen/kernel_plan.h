// The kernels a graph needs: one per distinct descriptor key, each with its symbol name
// and work items. Deriving it needs no LLVM, so a run from an artifact checks the
// manifest's kernel table against its IR without loading the code generator;
// KernelCompiler emits exactly the kernels its plan lists.
#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "codegen/kernel_desc.h"

namespace lmc::codegen {

struct KernelEntry {
  std::string name;  // symbol in the object file
  std::string key;   // KernelDesc::key()
  KernelInfo info;   // work items
};

class KernelPlan {
 public:
  // The entry `d` gets: the planned one for its key, else a new one (not yet added).
  // Throws lmc::Error "codegen: error: ..." when no kernel kind takes `d` or `d` breaks
  // its kind's contract.
  KernelEntry entry_for(const KernelDesc& d) const;
  bool has(const std::string& key) const { return by_key_.count(key) != 0; }
  void add(KernelEntry e);
  const std::vector<KernelEntry>& kernels() const { return entries_; }

 private:
  std::vector<KernelEntry> entries_;
  std::map<std::string, size_t> by_key_;
  std::set<std::string> names_;
};

}  // namespace lmc::codegen
