#include "tools/lmc/flags/tower_flags.h"

#include "tools/lmc/flags/cache_flags.h"
#include "tools/lmc/flags/model_flags.h"

namespace lmc::tools {

std::unique_ptr<driver::ImageEncoder> open_tower(const std::string& mmproj, const Args& a, int threads) {
  std::unique_ptr<driver::CompileCache> cache = compile_cache_for(mmproj, a);
  return std::make_unique<driver::ImageEncoder>(mmproj, compile_request(mmproj, a, TargetDefault::Host), cache.get(),
                                                threads);
}

}  // namespace lmc::tools
