// lmc's own shared modules: the parts of lmc whose libraries are heavy to load and that
// only some commands need, opened the first time they are needed so that a plain run
// maps none of them — the code generator (libLLVM), lmc serve's HTTP side (Boost.Beast and
// the OpenAI API) and the MPI world (Open MPI); and the kernel loader,
// whose private static copy of LLVM's linker must stay apart from libLLVM. Each module exports
// one function whose name carries its interface version, so a module from another lmc
// build is refused by name. It lives in ir/ because every layer that owns a module shares it.
#pragma once
#include <string>

namespace lmc {

struct SharedModuleFile {
  const char* what;        // for messages: "the kernel compiler"
  const char* file;        // "liblmc-codegen.so"
  const char* entry;       // the exported function: "lmc_codegen_module_v2"
  const char* build_path;  // where the build tree put it (the tests' executables live elsewhere)
};

// The address of the module's entry, opening the module from the first place that has
// it: next to the lmc executable, in an install's lib/lmc/, then `build_path`. The module
// stays loaded. Throws lmc::Error naming every place tried and why each failed.
void* open_shared_module(const SharedModuleFile& module);

// The first of those places that holds the module's file, without opening it; "" when none
// does. What a compiled model's cache key digests as the code generator's identity.
std::string find_shared_module(const SharedModuleFile& module);

// The table of entry points a module's entry returns (`const Table* entry()`), for a caller
// that keeps it in a function-local static: the module then opens once, on first use.
template <class Table>
const Table& shared_module_table(const SharedModuleFile& module) {
  using Entry = const Table* (*)();
  return *reinterpret_cast<Entry>(open_shared_module(module))();
}

}  // namespace lmc
