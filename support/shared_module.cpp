#include "support/shared_module.h"

#include <dlfcn.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "support/error.h"

namespace lmc {

namespace {

std::vector<std::string> places(const SharedModuleFile& module) {
  std::vector<std::string> out;
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    out.push_back((exe.parent_path() / module.file).string());
    out.push_back((exe.parent_path().parent_path() / LMC_MODULE_INSTALL_DIR / module.file).string());
  }
  if (std::find(out.begin(), out.end(), module.build_path) == out.end()) out.push_back(module.build_path);
  return out;
}

}  // namespace

std::string find_shared_module(const SharedModuleFile& module) {
  for (const std::string& path : places(module)) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return path;
  }
  return "";
}

void* open_shared_module(const SharedModuleFile& module) {
  std::string tried;
  for (const std::string& path : places(module)) {
    tried += tried.empty() ? "" : "; ";
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();  // names the path
      tried += why ? why : path + ": cannot open";
      continue;
    }
    if (void* entry = dlsym(handle, module.entry)) return entry;
    tried += path + ": no " + module.entry + " (a module of another lmc version)";
    dlclose(handle);
  }
  throw Error(std::string("lmc: error: cannot load ") + module.what + " (" + module.file + "); tried " + tried);
}

}  // namespace lmc
