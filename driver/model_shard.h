// Which share of a split model (the shard pass, tensor parallelism) a compiled graph is,
// and where each rank's artifact lives. An artifact of a split model is one rank's share:
// under `mpirun -np N` rank r runs its own file, and nothing else may run it.
#pragma once
#include <cstdint>
#include <string>

namespace lmc::driver {

struct ModelShard {
  int64_t ranks = 1;  // 1: the whole model
  int64_t rank = 0;
  bool operator==(const ModelShard&) const = default;
};

// The share the pipeline that compiled a graph kept (its shard pass's options); `where`
// names the pipeline's place for errors ("gemma.lmc:manifest").
ModelShard shard_of_pipeline(const std::string& pipeline, const std::string& where);

// "rank 1 of 2" or "the whole model", for messages.
std::string describe(const ModelShard& s);

// Rank r's file beside `path`: gemma.lmc -> gemma.rank1.lmc (before the extension).
std::string rank_path(const std::string& path, int64_t rank);

}  // namespace lmc::driver
