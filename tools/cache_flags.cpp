#include "tools/cache_flags.h"

namespace lmc::tools {

namespace {

constexpr double kDefaultMaxGb = 20;

}  // namespace

std::vector<FlagSpec> cache_flag_specs() {
  return {
      {"cache-dir", true, "keep compiled models in DIR (default $XDG_CACHE_HOME/lmc, else ~/.cache/lmc)", "DIR"},
      {"no-cache", false, "compile weights in memory for this run; neither read nor write the compile cache"},
      {"cache-max-gb", true, "bound the compile cache at N GB, least recently used entries removed first "
                             "(default 20)", "N"},
  };
}

std::unique_ptr<driver::CompileCache> compile_cache(const Args& a) {
  if (a.has("no-cache")) {
    if (a.has("cache-dir") || a.has("cache-max-gb")) throw UsageError("--no-cache and --cache-dir/--cache-max-gb "
                                                                      "contradict each other");
    return nullptr;
  }
  double max_gb = a.get_double("cache-max-gb", kDefaultMaxGb, 0.001, 1e6);
  std::string dir = a.has("cache-dir") ? *a.get("cache-dir") : driver::default_cache_dir();
  return std::make_unique<driver::CompileCache>(dir, static_cast<uint64_t>(max_gb * 1e9));
}

}  // namespace lmc::tools
