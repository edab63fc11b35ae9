#include "codegen/codegen_module.h"

#include <dlfcn.h>

#include <filesystem>

#include "ir/error.h"

namespace lmc::codegen {

namespace {

constexpr const char* kEntry = "lmc_codegen_module_v1";
constexpr const char* kFile = "liblmc-codegen.so";

using Entry = const CodegenModule* (*)();

std::vector<std::string> places() {
  std::vector<std::string> out;
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    out.push_back((exe.parent_path() / kFile).string());
    out.push_back((exe.parent_path().parent_path() / LMC_CODEGEN_INSTALL_DIR / kFile).string());
  }
  out.push_back(LMC_CODEGEN_BUILD_PATH);
  return out;
}

const CodegenModule* load() {
  std::string tried;
  for (const std::string& path : places()) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const char* why = dlerror();
      tried += "\n  " + path + ": " + (why ? why : "cannot open");
      continue;
    }
    if (void* entry = dlsym(handle, kEntry)) return reinterpret_cast<Entry>(entry)();
    tried += "\n  " + path + ": no " + kEntry + " (a module of another lmc version)";
    dlclose(handle);
  }
  throw Error(std::string("codegen: error: cannot load the kernel compiler ") + kFile + "; tried:" + tried);
}

}  // namespace

const CodegenModule& codegen_module() {
  static const CodegenModule* module = load();
  return *module;
}

}  // namespace lmc::codegen
