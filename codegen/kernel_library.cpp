#include "codegen/kernel_library.h"

#include "codegen/kernel_loader_module.h"
#include "codegen/target.h"
#include "support/error.h"

namespace lmc::codegen {

KernelLibrary::KernelLibrary(std::unique_ptr<LinkedKernels> linked, std::string where)
    : linked_(std::move(linked)), where_(std::move(where)) {}

KernelLibrary::~KernelLibrary() = default;

std::unique_ptr<KernelLibrary> KernelLibrary::load(std::string_view object, const std::string& where) {
  auto linked = kernel_loader_module().link(object, where, kernel_load_options());
  return std::unique_ptr<KernelLibrary>(new KernelLibrary(std::move(linked), where));
}

std::unique_ptr<KernelLibrary> KernelLibrary::compile(KernelCompiler& compiler) {
  require_host_features(compiler.target());
  return load(compiler.compile(), "<kernels compiled for " + compiler.target().cpu + ">");
}

lmc_kernel_fn KernelLibrary::lookup(const std::string& name) const {
  const KernelAddresses& functions = linked_->functions();
  auto it = functions.find(name);
  if (it == functions.end()) throw error_at(where_, "no kernel '" + name + "' in the kernel object");
  return reinterpret_cast<lmc_kernel_fn>(it->second);
}

}  // namespace lmc::codegen
