// Packs a compiled model into one artifact: manifest, final IR, kernel object code,
// tokenizer and every weight in the dtype the graph declares, sealed with the user's key.
// The kernels are generated here (generate_kernels) on a thread of their own while this
// one packs the weights: at 7B LLVM takes some 8 s and the weights 10-15 s, so a first
// compile waits for the longer of the two, not for their sum.
#pragma once
#include <cstdint>
#include <functional>
#include <string>

#include "driver/compile.h"

namespace lmc::driver {

// Called after each weight is packed: (packed so far, total).
using PackProgress = std::function<void(int64_t, int64_t)>;

// `c` is compile_graph(r)'s; returns the bytes of packed weights written.
uint64_t write_artifact(CompiledModel& c, const CompileRequest& r, const std::string& path,
                        const PackProgress& progress = {});

}  // namespace lmc::driver
