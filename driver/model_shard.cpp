#include "driver/model_shard.h"

#include <filesystem>

#include "passes/pipeline.h"
#include "support/error.h"

namespace lmc::driver {

ModelShard shard_of_pipeline(const std::string& pipeline, const std::string& where) {
  ModelShard s;
  for (const auto& e : passes::parse_recorded_pipeline(pipeline, where)) {
    if (e.pass != "shard") continue;
    // parse_pipeline has checked each value against the option's range.
    if (auto it = e.options.find("ranks"); it != e.options.end()) s.ranks = std::stoll(it->second);
    if (auto it = e.options.find("rank"); it != e.options.end()) s.rank = std::stoll(it->second);
  }
  if (s.rank >= s.ranks) throw error_at(where, "shard keeps " + describe(s) + ", which is no share");
  return s;
}

std::string describe(const ModelShard& s) {
  if (s.ranks == 1) return "the whole model";
  return "rank " + std::to_string(s.rank) + " of " + std::to_string(s.ranks);
}

std::string rank_path(const std::string& path, int64_t rank) {
  std::filesystem::path p(path);
  std::filesystem::path name = p.stem();
  name += ".rank" + std::to_string(rank);
  name += p.extension();
  return (p.parent_path() / name).string();
}

}  // namespace lmc::driver
