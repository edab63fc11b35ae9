#include "codegen/kernel_compiler.h"

#include "codegen/codegen_module.h"
#include "support/error.h"

namespace lmc::codegen {

KernelCompiler::KernelCompiler(TargetSpec target)
    : target_(std::move(target)), emitter_(codegen_module().make_emitter(target_)) {}

KernelCompiler::~KernelCompiler() = default;

void KernelCompiler::check_live() const {
  if (spent_) throw Error("codegen: error: kernel compiler used after compile()");
}

std::string KernelCompiler::add(const KernelDesc& d) {
  check_live();
  KernelEntry e = plan_.entry_for(d);
  if (plan_.has(e.key)) return e.name;
  emitter_->emit(e.name, d);
  plan_.add(e);
  return e.name;
}

std::string KernelCompiler::compile(const CompileOptions& opts) {
  check_live();
  spent_ = true;
  return emitter_->compile(opts);
}

const CompileStats& KernelCompiler::stats() const { return emitter_->stats(); }

}  // namespace lmc::codegen
