// Packs a compiled model into one artifact: manifest, final IR, kernel object code,
// tokenizer and every weight in the dtype the graph declares, sealed with the user's key.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "driver/compile.h"

namespace lmc::driver {

// Called after each weight is packed: (packed so far, total).
using PackProgress = std::function<void(int64_t, int64_t)>;

// Returns the bytes of packed weights written.
uint64_t write_artifact(const CompiledModel& c, const std::string& path, const PackProgress& progress = {});

}  // namespace lmc::driver
