#include "codegen/loader/linker/orc_kernel_linker.h"

#include <llvm/ExecutionEngine/Orc/Core.h>
#include <llvm/ExecutionEngine/Orc/DebugObjectManagerPlugin.h>
#include <llvm/ExecutionEngine/Orc/EPCDebugObjectRegistrar.h>
#include <llvm/ExecutionEngine/Orc/ExecutorProcessControl.h>
#include <llvm/ExecutionEngine/Orc/ObjectFileInterface.h>
#include <llvm/ExecutionEngine/Orc/ObjectLinkingLayer.h>
#include <llvm/ExecutionEngine/Orc/TargetProcess/JITLoaderGDB.h>
#include <llvm/Object/ELFObjectFile.h>
#include <llvm/Support/MemoryBuffer.h>

#include <cstring>

#include "codegen/loader/linker/link_graph_guard.h"
#include "codegen/loader/linker/perf_map_plugin.h"
#include "codegen/loader/linker/thread_scratch.h"
#include "support/error.h"

namespace lmc::codegen {

namespace {

namespace orc = llvm::orc;

// The functions outside the object that generated code may call: LLVM lowers its
// memcpy/memset intrinsics to these libc calls, and large scratch comes from
// lmc_thread_scratch (thread_scratch.h). Any other outside symbol fails the link.
orc::SymbolMap outside_functions(orc::ExecutionSession& es) {
  auto function = [](auto* f) {
    return orc::ExecutorSymbolDef(orc::ExecutorAddr::fromPtr(f),
                                  llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  };
  return {{es.intern("memcpy"), function(&::memcpy)},
          {es.intern("memset"), function(&::memset)},
          {es.intern("memmove"), function(&::memmove)},
          {es.intern("lmc_thread_scratch"), function(&::lmc_thread_scratch)}};
}

class OrcKernels final : public LinkedKernels {
 public:
  OrcKernels(std::string where, const KernelLoadOptions& options);
  ~OrcKernels() override;

  void link(std::string_view object);
  const KernelAddresses& functions() const override { return functions_; }

 private:
  void check_object(llvm::MemoryBufferRef object);
  [[noreturn]] void fail(llvm::Error error);
  void check(llvm::Error error) {
    if (error) fail(std::move(error));
  }

  std::string where_;
  // A failed link reports its cause here; the lookup that asked for it only says which
  // symbols failed.
  std::string link_errors_;
  std::unique_ptr<orc::ExecutionSession> session_;
  std::unique_ptr<orc::ObjectLinkingLayer> layer_;
  KernelAddresses functions_;
};

std::unique_ptr<orc::ExecutionSession> make_session(const std::string& where) {
  // Linking runs on the caller's thread: one object, nothing to overlap it with.
  auto control = orc::SelfExecutorProcessControl::Create(nullptr, std::make_unique<orc::InPlaceTaskDispatcher>());
  if (!control) throw error_at(where, "cannot set up the kernel linker: " + llvm::toString(control.takeError()));
  return std::make_unique<orc::ExecutionSession>(std::move(*control));
}

// GDB's JIT interface, through ORC's registrar called in-process: the module's hidden
// copy of the registration function is not visible to a lookup by name.
std::unique_ptr<orc::ObjectLinkingLayer::Plugin> gdb_registration(orc::ExecutionSession& es) {
  auto registrar = std::make_unique<orc::EPCDebugObjectRegistrar>(
      es, orc::ExecutorAddr::fromPtr(&llvm_orc_registerJITLoaderGDBWrapper));
  return std::make_unique<orc::DebugObjectManagerPlugin>(es, std::move(registrar), /*RequireDebugSections=*/false,
                                                         /*AutoRegisterCode=*/true);
}

OrcKernels::OrcKernels(std::string where, const KernelLoadOptions& options)
    : where_(std::move(where)), session_(make_session(where_)) {
  session_->setErrorReporter(
      [this](llvm::Error e) { link_errors_ += (link_errors_.empty() ? "" : "; ") + llvm::toString(std::move(e)); });
  layer_ = std::make_unique<orc::ObjectLinkingLayer>(*session_);
  layer_->addPlugin(std::make_unique<LinkGraphGuard>());
  if (options.perf_map) layer_->addPlugin(std::make_unique<PerfMapPlugin>());
  if (options.debug_jit) layer_->addPlugin(gdb_registration(*session_));
}

OrcKernels::~OrcKernels() {
  // Frees the linked code; the layer must still exist while the session ends.
  if (llvm::Error e = session_->endSession()) llvm::consumeError(std::move(e));
}

void OrcKernels::fail(llvm::Error error) {
  std::string what = llvm::toString(std::move(error));
  if (!link_errors_.empty()) what = link_errors_;
  throw error_at(where_, "cannot link the kernel object: " + what);
}

// JITLink links any architecture it knows, and executables too: only what codegen
// writes, an x86-64 relocatable object, may reach it. Its graph builder also trusts that
// a relocation names a symbol (index 0 crashed it while it formatted the error).
void OrcKernels::check_object(llvm::MemoryBufferRef object) {
  auto file = llvm::object::ObjectFile::createObjectFile(object);
  if (!file) fail(file.takeError());
  if ((*file)->getArch() != llvm::Triple::x86_64)
    throw error_at(where_, "the kernel object is for " + llvm::Triple::getArchTypeName((*file)->getArch()).str() +
                               ", not for x86-64");
  const auto* elf = llvm::dyn_cast<llvm::object::ELF64LEObjectFile>(file->get());
  if (!elf || !elf->isRelocatableObject()) throw error_at(where_, "the kernel object is not an ELF relocatable object");
  const llvm::object::ELF64LEFile& tables = elf->getELFFile();
  auto sections = tables.sections();
  if (!sections) fail(sections.takeError());
  for (const auto& section : *sections) {
    if (section.sh_type != llvm::ELF::SHT_RELA) continue;
    auto relocations = tables.relas(section);
    if (!relocations) fail(relocations.takeError());
    for (const auto& r : *relocations)
      if (r.getSymbol(false) == 0 && r.getType(false) != llvm::ELF::R_X86_64_NONE)
        throw error_at(where_, "a relocation of the kernel object names no symbol");
  }
}

void OrcKernels::link(std::string_view object) {
  auto buffer = llvm::MemoryBuffer::getMemBuffer(llvm::StringRef(object.data(), object.size()), where_,
                                                 /*RequiresNullTerminator=*/false);
  check_object(buffer->getMemBufferRef());
  auto interface = orc::getObjectFileInterface(*session_, buffer->getMemBufferRef());
  if (!interface) fail(interface.takeError());
  orc::SymbolLookupSet wanted;
  for (const auto& [name, flags] : interface->SymbolFlags)
    if (flags.isCallable()) wanted.add(name);

  orc::JITDylib& dylib = session_->createBareJITDylib("kernels");
  check(dylib.define(orc::absoluteSymbols(outside_functions(*session_))));
  check(layer_->add(dylib, std::move(buffer), std::move(*interface)));
  // Asking for every function links the whole object now, so a bad object fails here.
  auto found = session_->lookup(orc::makeJITDylibSearchOrder(&dylib), std::move(wanted));
  if (!found) fail(found.takeError());
  for (const auto& [name, symbol] : *found) functions_.emplace((*name).str(), symbol.getAddress().getValue());
}

}  // namespace

std::unique_ptr<LinkedKernels> orc_link_kernels(std::string_view object, const std::string& where,
                                                const KernelLoadOptions& options) {
  auto kernels = std::make_unique<OrcKernels>(where, options);
  kernels->link(object);
  return kernels;
}

}  // namespace lmc::codegen
