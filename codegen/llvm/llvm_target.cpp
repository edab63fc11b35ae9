#include "codegen/llvm/llvm_target.h"

#include <mutex>

#include <llvm/ADT/StringMap.h>
#include <llvm/MC/MCSubtargetInfo.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Host.h>

#include "support/error.h"

namespace lmc::codegen {

namespace {

const llvm::Target& native_target() {
  init_llvm_target();
  std::string err;
  const auto* t = llvm::TargetRegistry::lookupTarget(llvm::sys::getProcessTriple(), err);
  if (!t) throw Error("codegen: error: no LLVM target for this host: " + err);
  return *t;
}

std::unique_ptr<llvm::MCSubtargetInfo> subtarget(const TargetSpec& s) {
  std::unique_ptr<llvm::MCSubtargetInfo> sti(
      native_target().createMCSubtargetInfo(llvm::sys::getProcessTriple(), s.cpu, s.features));
  if (!sti) throw Error("codegen: error: cannot describe target " + s.str());
  return sti;
}

// LLVM only warns on unknown names and carries on; we refuse them, checking
// against a generic subtarget so that LLVM prints nothing.
void validate(const TargetSpec& s) {
  auto sti = subtarget({"", ""});
  if (!sti->isCPUStringValid(s.cpu)) throw Error("--mcpu: error: unknown CPU \"" + s.cpu + "\"");
  for (const auto& f : split_features(s.features)) {
    std::string name = (f[0] == '+' || f[0] == '-') ? f.substr(1) : f;
    bool known = false;
    for (const auto& kv : sti->getAllProcessorFeatures()) known |= name == kv.Key;
    if (!known || (f[0] != '+' && f[0] != '-'))
      throw Error("--mattr: error: unknown feature \"" + f + "\" (expected +name or -name)");
  }
  // The emitters use AVX2/FMA/F16C instructions directly; a target without them
  // would make LLVM abort in instruction selection.
  auto chosen = subtarget(s);
  for (const char* need : {"avx2", "fma", "f16c"})
    if (!chosen->checkFeatures(std::string("+") + need))
      throw Error("--mcpu/--mattr: error: target " + s.str() + " lacks " + need +
                  ", which every lmc kernel needs (AVX2 + FMA + F16C is the baseline)");
}

TargetSpec host_target() {
  TargetSpec s{llvm::sys::getHostCPUName().str(), ""};
  for (const auto& kv : llvm::sys::getHostCPUFeatures()) {
    if (!s.features.empty()) s.features += ',';
    s.features += (kv.second ? "+" : "-") + kv.first().str();
  }
  return s;
}

}  // namespace

void init_llvm_target() {
  static std::once_flag once;
  std::call_once(once, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
    llvm::InitializeNativeTargetAsmParser();
  });
}

TargetSpec llvm_resolve_target(const TargetOptions& opts) {
  TargetSpec s = opts.native ? host_target() : baseline_target();
  if (!opts.mcpu.empty()) s = {opts.mcpu, ""};
  if (!opts.mattr.empty()) s.features += (s.features.empty() ? "" : ",") + opts.mattr;
  validate(s);
  return s;
}

std::vector<std::string> llvm_isa_features(const TargetSpec& spec) {
  auto sti = subtarget(spec);
  auto host = llvm::sys::getHostCPUFeatures();
  std::vector<std::string> isa;
  // Tuning flags of the subtarget ("slow-3ops-lea") are not in the host map and do not
  // matter for correctness; the host map's names are the ISA features.
  for (const auto& kv : sti->getAllProcessorFeatures())
    if (host.count(kv.Key) && sti->checkFeatures(std::string("+") + kv.Key)) isa.push_back(kv.Key);
  return isa;
}

std::vector<std::string> llvm_missing_host_features(const TargetSpec& spec) {
  auto host = llvm::sys::getHostCPUFeatures();
  std::vector<std::string> missing;
  for (const auto& f : llvm_isa_features(spec))
    if (!host.lookup(f)) missing.push_back(f);
  return missing;
}

std::unique_ptr<llvm::TargetMachine> create_target_machine(const TargetSpec& spec, bool optimize) {
  llvm::TargetOptions options;
  std::unique_ptr<llvm::TargetMachine> tm(native_target().createTargetMachine(
      llvm::sys::getProcessTriple(), spec.cpu, spec.features, options, llvm::Reloc::PIC_, llvm::CodeModel::Small,
      optimize ? llvm::CodeGenOptLevel::Aggressive : llvm::CodeGenOptLevel::None));
  if (!tm) throw Error("codegen: error: cannot create a code generator for " + spec.str());
  return tm;
}

}  // namespace lmc::codegen
