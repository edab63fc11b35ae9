#include "codegen/kernel_plan.h"

#include "codegen/kernel_kind.h"
#include "codegen/kernel_name.h"
#include "support/error.h"

namespace lmc::codegen {

KernelEntry KernelPlan::entry_for(const KernelDesc& d) const {
  std::string key = d.key();
  if (auto it = by_key_.find(key); it != by_key_.end()) return entries_[it->second];
  KernelInfo info = kernel_work_items(d);
  std::string name = kernel_base_name(d);
  if (names_.count(name)) name = kernel_unique_name(d);
  if (names_.count(name)) throw Error("codegen: error: kernel name collision for " + key);
  return {name, key, info};
}

void KernelPlan::add(KernelEntry e) {
  if (has(e.key)) return;
  by_key_[e.key] = entries_.size();
  names_.insert(e.name);
  entries_.push_back(std::move(e));
}

}  // namespace lmc::codegen
