// What names a loaded model's numbers: a digest of its final graph's text (the operations,
// the weights' and KV caches' types, so another compile or cache type differs) and of every
// weight's bytes. Two processes that opened the same model the same way agree on it, so a
// KV-cache snapshot (runtime/kv_snapshot.h) saved by one restores in the other, and nowhere
// else. Reads every weight once (about a second for 4 GB from the page cache).
#pragma once
#include <cstdint>

#include "driver/open_model.h"

namespace lmc::driver {

uint64_t model_identity(const LoadedModel& m);

}  // namespace lmc::driver
