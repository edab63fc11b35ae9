#include "passes/plugin_loader.h"

#include <dlfcn.h>

#include <set>

#include "support/error.h"

namespace lmc::passes {

void load_pass_plugin(const std::string& path) {
  // RTLD_NODELETE: pass objects created from the plugin outlive any handle we hold.
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE);
  if (!handle) throw error_at(path, std::string("cannot load pass plugin: ") + dlerror());
  // The same library named twice (the command line, then the compile request) registers once.
  static std::set<void*> registered;
  if (!registered.insert(handle).second) return;
  using InfoFn = const lmc_pass_plugin_info* (*)();
  auto info_fn = reinterpret_cast<InfoFn>(dlsym(handle, "lmc_get_pass_plugin_info"));
  if (!info_fn) throw error_at(path, "not an lmc pass plugin (no lmc_get_pass_plugin_info)");
  const lmc_pass_plugin_info* info = info_fn();
  if (!info || info->api_version != LMC_PASS_PLUGIN_API_VERSION)
    throw error_at(path, "pass plugin API version " + std::to_string(info ? info->api_version : -1) + ", lmc expects " +
                             std::to_string(LMC_PASS_PLUGIN_API_VERSION));
  PassOrigin origin("plugin " + path);
  try {
    info->register_passes(&PassRegistry::instance());
  } catch (const Error& e) {
    throw error_at(path, e.what());  // a name taken: which library tried
  }
}

}  // namespace lmc::passes
