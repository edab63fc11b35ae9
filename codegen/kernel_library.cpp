#include "codegen/kernel_library.h"

#include <llvm/ExecutionEngine/Orc/LLJIT.h>
#include <llvm/Support/Error.h>
#include <llvm/Support/MemoryBuffer.h>

#include "codegen/kernel_compiler.h"
#include "ir/error.h"

namespace lmc::codegen {

namespace {

std::string join(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += (s.empty() ? "" : ", ") + i;
  return s;
}

// Converts an llvm::Error at the boundary: no exception crosses LLVM frames, and
// no LLVM error leaves codegen/ unconverted.
void check(llvm::Error err, const std::string& what) {
  if (err) throw Error("codegen: error: " + what + ": " + llvm::toString(std::move(err)));
}

}  // namespace

struct KernelLibrary::Impl {
  std::unique_ptr<llvm::orc::LLJIT> jit;
};

KernelLibrary::KernelLibrary() : impl_(std::make_unique<Impl>()) {}
KernelLibrary::~KernelLibrary() = default;

std::unique_ptr<KernelLibrary> KernelLibrary::from_object(std::string_view object,
                                                          const TargetSpec& built_for) {
  auto missing = missing_host_features(built_for);
  if (!missing.empty())
    throw Error("codegen: error: this CPU lacks features the kernels were compiled for (" +
                join(missing) + "); target was " + built_for.str());
  init_llvm_target();
  auto jit = llvm::orc::LLJITBuilder().create();
  if (!jit) check(jit.takeError(), "cannot start the JIT");
  std::unique_ptr<KernelLibrary> lib(new KernelLibrary());
  lib->impl_->jit = std::move(*jit);
  auto buffer = llvm::MemoryBuffer::getMemBufferCopy(llvm::StringRef(object.data(), object.size()),
                                                     "lmc_kernels.o");
  check(lib->impl_->jit->addObjectFile(std::move(buffer)), "cannot load the kernel object");
  return lib;
}

std::unique_ptr<KernelLibrary> KernelLibrary::jit(KernelCompiler& compiler) {
  std::string object = compiler.compile();
  return from_object(object, compiler.target());
}

lmc_kernel_fn KernelLibrary::lookup(const std::string& name) const {
  auto addr = impl_->jit->lookup(name);
  if (!addr) check(addr.takeError(), "no kernel '" + name + "' in the kernel object");
  return addr->toPtr<lmc_kernel_fn>();
}

}  // namespace lmc::codegen
