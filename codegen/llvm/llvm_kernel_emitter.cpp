#include "codegen/llvm/llvm_kernel_emitter.h"
#include "codegen/llvm/blocks/weight_blocks.h"

#include <chrono>

#include <llvm/IR/Function.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include "codegen/llvm/emitter.h"
#include "codegen/llvm/llvm_target.h"
#include "codegen/llvm/module_passes.h"
#include "codegen/llvm/scalar_tiles.h"
#include "support/error.h"

namespace lmc::codegen {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string ir_text(const llvm::Module& m) {
  std::string s;
  llvm::raw_string_ostream os(s);
  m.print(os, nullptr);
  return os.str();
}

class LlvmKernelEmitter : public KernelEmitter {
 public:
  explicit LlvmKernelEmitter(const TargetSpec& target) : target_(target), tm_(create_target_machine(target)) {}

  void emit(const std::string& name, const KernelDesc& d) override {
    EmitFn emitter = find_emitter(d);
    auto t0 = std::chrono::steady_clock::now();
    auto module = new_module(name);
    llvm::Function* fn = new_kernel_function(*module, name);
    emitter(*fn, d);  // a throw drops the half-built module with it
    stats_.emit_seconds += seconds_since(t0);
    modules_.push_back(std::move(module));
    names_.push_back(name);
    stats_.kernels++;
  }

  std::string compile(const CompileOptions& opts) override;
  const CompileStats& stats() const override { return stats_; }

 private:
  std::unique_ptr<llvm::Module> new_module(const std::string& name) {
    auto m = std::make_unique<llvm::Module>(name, ctx_);
    m->setTargetTriple(tm_->getTargetTriple().str());
    m->setDataLayout(tm_->createDataLayout());
    return m;
  }

  // void kernel(ptr args, ptr syms, i64 begin, i64 end), see codegen/kernel_abi.h.
  llvm::Function* new_kernel_function(llvm::Module& m, const std::string& name) {
    auto* ptr = llvm::PointerType::getUnqual(ctx_);
    auto* i64 = llvm::Type::getInt64Ty(ctx_);
    auto* type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx_), {ptr, ptr, i64, i64}, false);
    auto* fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, m);
    const char* arg_names[] = {"args", "syms", "begin", "end"};
    for (unsigned i = 0; i < 4; ++i) fn->getArg(i)->setName(arg_names[i]);
    fn->addParamAttr(0, llvm::Attribute::NoAlias);
    fn->addParamAttr(1, llvm::Attribute::NoAlias);
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    fn->addFnAttr("target-cpu", target_.cpu);
    if (!target_.features.empty()) fn->addFnAttr("target-features", target_.features);
    // Kernels that ask for 512-bit registers (wide_registers) get them: on CPUs that prefer
    // 256-bit vectors LLVM would otherwise split every such operation in two.
    if (wide_registers(*fn)) fn->addFnAttr("min-legal-vector-width", "512");
    return fn;
  }

  TargetSpec target_;
  std::unique_ptr<llvm::TargetMachine> tm_;
  llvm::LLVMContext ctx_;
  // One module per kernel, so dumps are per kernel; linked into one at compile().
  std::vector<std::unique_ptr<llvm::Module>> modules_;
  std::vector<std::string> names_;
  CompileStats stats_;
};

std::string LlvmKernelEmitter::compile(const CompileOptions& opts) {
  auto& tm = *tm_;
  for (size_t i = 0; i < modules_.size(); ++i) {
    if (opts.checkpoint) opts.checkpoint();
    llvm::Module& m = *modules_[i];
    const std::string& name = names_[i];
    auto t0 = std::chrono::steady_clock::now();
    verify_module(m, name);
    optimize_module(m, tm);
    stats_.optimize_seconds += seconds_since(t0);

    auto t1 = std::chrono::steady_clock::now();
    if (opts.dumps.llvm_ir) opts.dumps.llvm_ir(name + ".ll", ir_text(m));
    if (opts.dumps.assembly) {
      // Code generation rewrites the IR it runs on (CodeGenPrepare), so the
      // listing is made from a copy and the module stays pristine for linking.
      auto copy = llvm::CloneModule(m);
      opts.dumps.assembly(name + ".s", emit_machine_code(*copy, tm, MachineCodeKind::Assembly));
    }
    stats_.codegen_seconds += seconds_since(t1);
  }

  auto t2 = std::chrono::steady_clock::now();
  auto all = new_module("lmc_kernels");
  llvm::Linker linker(*all);
  for (auto& m : modules_)
    if (linker.linkInModule(std::move(m))) throw Error("codegen: error: cannot link kernel modules");
  modules_.clear();
  std::unique_ptr<llvm::TargetMachine> scalar;
  if (opts.scalar_tiles) {
    prepare_scalar_tiles(*all);
    scalar = create_target_machine(target_, false);
  }
  std::string object = emit_machine_code(*all, scalar ? *scalar : tm, MachineCodeKind::Object);
  stats_.codegen_seconds += seconds_since(t2);
  return object;
}

}  // namespace

std::unique_ptr<KernelEmitter> make_llvm_kernel_emitter(const TargetSpec& target) {
  return std::make_unique<LlvmKernelEmitter>(target);
}

}  // namespace lmc::codegen
