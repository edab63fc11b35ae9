#include "codegen/kernel_compiler.h"

#include <optional>

#include "codegen/codegen_module.h"
#include "support/cancellation.h"
#include "support/dump_folder.h"
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
  check_cancelled();
  emitter_->emit(e.name, d);
  plan_.add(e);
  return e.name;
}

std::string KernelCompiler::compile(const CompileOptions& opts) {
  check_live();
  spent_ = true;
  // Opened before the work: a dump destination that cannot be written fails at once.
  std::optional<runtime::DumpFolder> ir, assembly;
  CompileOptions with_dumps = opts;
  with_dumps.checkpoint = check_cancelled;
  if (!opts.dump_llvm_ir_dir.empty()) {
    ir.emplace(opts.dump_llvm_ir_dir);
    with_dumps.dumps.llvm_ir = [&ir](const std::string& file, const std::string& text) { ir->write(file, text); };
  }
  if (!opts.dump_asm_dir.empty()) {
    assembly.emplace(opts.dump_asm_dir);
    with_dumps.dumps.assembly = [&assembly](const std::string& file, const std::string& text) {
      assembly->write(file, text);
    };
  }
  return emitter_->compile(with_dumps);
}

const CompileStats& KernelCompiler::stats() const { return emitter_->stats(); }

}  // namespace lmc::codegen
