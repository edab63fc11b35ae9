// The kernels' object code placed in executable memory and linked by lmc itself.
//
// codegen writes one x86-64 ELF relocatable object (position-independent, small code
// model); an artifact carries it. Loading it needs only a few relocation types and two
// outside functions (memcpy, memset), so the runtime links it here instead of through
// LLVM's JIT: a run from an artifact never loads LLVM (about 47 MB of its pages touched
// at start-up otherwise). Sections are laid out in one mapping, code first, then a page
// boundary and the read-only data; calls and GOT loads of outside symbols go through a
// stub and a slot placed inside the mapping, so every 32-bit displacement reaches.
//
// Every field of the file is bounds-checked: a malformed object is an lmc::Error naming
// `where` and what is wrong, never a crash.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "codegen/kernel_abi.h"
#include "codegen/kernel_compiler.h"

namespace lmc::runtime {

class KernelObject {
 public:
  // Throws lmc::Error "<where>: error: ..." when `elf` is not an x86-64 relocatable
  // object lmc can link (a relocation type or outside symbol it does not provide).
  static std::unique_ptr<KernelObject> load(std::string_view elf, const std::string& where);

  // Compiles every kernel added to `compiler` and loads them. Throws lmc::Error naming
  // the features this CPU lacks when it cannot run the compiler's target.
  static std::unique_ptr<KernelObject> compile(codegen::KernelCompiler& compiler);

  ~KernelObject();
  KernelObject(const KernelObject&) = delete;
  KernelObject& operator=(const KernelObject&) = delete;

  // Throws lmc::Error when the object defines no function of that name.
  lmc_kernel_fn lookup(const std::string& name) const;

 private:
  KernelObject(void* base, size_t size, std::string where, std::map<std::string, uintptr_t, std::less<>> functions);
  void* base_;
  size_t size_;
  std::string where_;
  std::map<std::string, uintptr_t, std::less<>> functions_;
};

}  // namespace lmc::runtime
