// --mlock, as llama.cpp offers it: the weights locked in RAM, so that neither the page
// cache's eviction (a 7B file beside its artifact and another model) nor swap takes pages
// a decode step is about to read.
#pragma once
#include <cstdint>
#include <string>

#include "runtime/artifact/weight_provider.h"

namespace lmc::runtime {

struct MemoryLock {
  uint64_t locked = 0;  // bytes
  std::string failure;  // why not all of them ("" when all were), with what would help
};

// Locks every span of `w` (mlock), faulting its pages in; the locks last until they are
// unmapped or freed or the process ends.
MemoryLock lock_in_memory(const WeightProvider& w);

}  // namespace lmc::runtime
