#include "tools/lmc/flags/cache_flags.h"

#include <cstdlib>
#include <iostream>
#include <string>

namespace lmc::tools {

namespace {

constexpr double kDefaultMaxGb = 20;
constexpr const char* kMaxGbVariable = "LMC_CACHE_MAX_GB";
constexpr double kDefaultMinFreeGb = 1;

// The environment's bound, for a user (or a test suite) that sets it once.
double default_max_gb() {
  const char* v = std::getenv(kMaxGbVariable);
  if (!v || !*v) return kDefaultMaxGb;
  char* end = nullptr;
  double gb = std::strtod(v, &end);
  if (*end || !(gb >= 0.001 && gb <= 1e6))
    throw UsageError(std::string(kMaxGbVariable) + "='" + v + "' is not a size in GB between 0.001 and 1e6");
  return gb;
}

}  // namespace

std::vector<FlagSpec> cache_flag_specs() {
  return {
      {"cache-dir", true, "keep compiled models in DIR (default $XDG_CACHE_HOME/lmc, else ~/.cache/lmc)", "DIR"},
      {"no-cache", false, "compile weights in memory for this run; neither read nor write the compile cache"},
      {"cache-max-gb", true,
       "bound the compile cache at N GB, least recently used entries removed first "
       "(default $LMC_CACHE_MAX_GB, else 20)",
       "N"},
      {"cache-min-free-gb", true,
       "leave at least N GB free on the compile cache's disk: older entries go first, "
       "and a model that would not fit is compiled in memory instead (default 1)",
       "N"},
  };
}

std::unique_ptr<driver::CompileCache> compile_cache(const Args& a) {
  if (a.has("no-cache")) {
    if (a.has("cache-dir") || a.has("cache-max-gb") || a.has("cache-min-free-gb"))
      throw UsageError("--no-cache and --cache-dir/--cache-max-gb/--cache-min-free-gb contradict each other");
    return nullptr;
  }
  double max_gb = a.get_double("cache-max-gb", default_max_gb(), 0.001, 1e6);
  double min_free_gb = a.get_double("cache-min-free-gb", kDefaultMinFreeGb, 0, 1e6);
  std::string dir = a.has("cache-dir") ? *a.get("cache-dir") : driver::default_cache_dir();
  return std::make_unique<driver::CompileCache>(dir, static_cast<uint64_t>(max_gb * 1e9),
                                                static_cast<uint64_t>(min_free_gb * 1e9));
}

std::unique_ptr<driver::CompileCache> compile_cache_for(const std::string& path, const Args& a) {
  try {
    return compile_cache(a);
  } catch (const driver::CacheUnavailable& e) {
    std::cerr << "warning: " << e.what() << "\nlmc: " << path << ": compiling it in memory for this run\n";
    return nullptr;
  }
}

}  // namespace lmc::tools
