// Refuses a model that would not fit in memory before anything large is allocated: the
// weights, the runtime's planned arena and the KV caches, estimated from the graph alone,
// against what the system can still give (MemAvailable in /proc/meminfo). Without it a
// large --context or model ends in the OOM killer or a thrashing machine, not an error.
#pragma once
#include <cstdint>
#include <optional>
#include <string>

#include "ir/graph.h"
#include "ir/model_info.h"

namespace lmc::driver {

// In doubles: the shapes come from files, and a hostile one may not fit in 64 bits.
struct MemoryNeed {
  double weight_bytes = 0;  // every distinct param, packed as the graph declares it
  double arena_bytes = 0;   // intermediates, as runtime::plan_memory places them
  double kv_bytes = 0;      // the KV caches
  double total() const { return weight_bytes + arena_bytes + kv_bytes; }
};

MemoryNeed estimate_memory(const ir::Graph& g, const ir::ModelInfo& info);

// MemAvailable from /proc/meminfo in bytes; nullopt when it cannot be read.
std::optional<uint64_t> available_memory();

// Throws lmc::Error "<model>: error: needs 512.0 TB of memory (...), 21.7 GB available" when the
// need exceeds what is available; does nothing when availability is unknown.
void check_memory_fits(const MemoryNeed& need, std::optional<uint64_t> available, const ir::ModelInfo& info,
                       const std::string& model);

}  // namespace lmc::driver
