// The flags of the compile cache (driver/compile_cache.h) for the commands that open
// weights (and an mmproj's vision tower): --cache-dir, --no-cache, --cache-max-gb.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "driver/compile_cache.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> cache_flag_specs();
// The cache the flags name, or nullptr with --no-cache. Throws UsageError on a bad bound.
std::unique_ptr<driver::CompileCache> compile_cache(const Args& a);
// compile_cache(a), or nullptr with a warning that `path` is compiled in memory when the
// cache's folder cannot be made.
std::unique_ptr<driver::CompileCache> compile_cache_for(const std::string& path, const Args& a);

}  // namespace lmc::tools
