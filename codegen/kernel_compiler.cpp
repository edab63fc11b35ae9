#include "codegen/kernel_compiler.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <llvm/IR/Function.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Linker/Linker.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/Transforms/Utils/Cloning.h>

#include "codegen/emitter.h"
#include "codegen/kernel_kind.h"
#include "codegen/kernel_name.h"
#include "codegen/module_passes.h"
#include "ir/error.h"

namespace lmc::codegen {

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void write_file(const std::string& dir, const std::string& name, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(dir + ": error: cannot create dump directory: " + ec.message());
  std::string path = dir + "/" + name;
  std::ofstream f(path, std::ios::binary);
  f << text;
  if (!f) throw Error(path + ": error: cannot write dump file");
}

std::string ir_text(const llvm::Module& m) {
  std::string s;
  llvm::raw_string_ostream os(s);
  m.print(os, nullptr);
  return os.str();
}

}  // namespace

struct KernelCompiler::Impl {
  TargetSpec target;
  std::unique_ptr<llvm::TargetMachine> tm;
  llvm::LLVMContext ctx;
  // One module per kernel, so dumps are per kernel; linked into one at compile().
  std::vector<std::unique_ptr<llvm::Module>> modules;
  std::vector<KernelEntry> entries;
  std::map<std::string, std::string> name_by_key;
  std::set<std::string> taken_names;
  CompileStats stats;
  bool spent = false;

  std::unique_ptr<llvm::Module> new_module(const std::string& name) {
    auto m = std::make_unique<llvm::Module>(name, ctx);
    m->setTargetTriple(tm->getTargetTriple().str());
    m->setDataLayout(tm->createDataLayout());
    return m;
  }

  // void kernel(ptr args, ptr syms, i64 begin, i64 end), see codegen/kernel_abi.h.
  llvm::Function* new_kernel_function(llvm::Module& m, const std::string& name) {
    auto* ptr = llvm::PointerType::getUnqual(ctx);
    auto* i64 = llvm::Type::getInt64Ty(ctx);
    auto* type = llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr, ptr, i64, i64}, false);
    auto* fn = llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, m);
    const char* arg_names[] = {"args", "syms", "begin", "end"};
    for (unsigned i = 0; i < 4; ++i) fn->getArg(i)->setName(arg_names[i]);
    fn->addParamAttr(0, llvm::Attribute::NoAlias);
    fn->addParamAttr(1, llvm::Attribute::NoAlias);
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    fn->addFnAttr("target-cpu", target.cpu);
    if (!target.features.empty()) fn->addFnAttr("target-features", target.features);
    return fn;
  }

  std::string fresh_name(const KernelDesc& d) {
    std::string name = kernel_base_name(d);
    if (taken_names.count(name)) name = kernel_unique_name(d);
    if (taken_names.count(name)) throw Error("codegen: error: kernel name collision for " + d.key());
    return name;
  }

  void check_live() const {
    if (spent) throw Error("codegen: error: kernel compiler used after compile()");
  }
};

KernelCompiler::KernelCompiler(TargetSpec target) : impl_(std::make_unique<Impl>()) {
  impl_->target = std::move(target);
  impl_->tm = create_target_machine(impl_->target);
}

KernelCompiler::~KernelCompiler() = default;

std::string KernelCompiler::add(const KernelDesc& d) {
  impl_->check_live();
  std::string key = d.key();
  if (auto it = impl_->name_by_key.find(key); it != impl_->name_by_key.end()) return it->second;
  const Emitter& emitter = find_emitter(d);

  auto t0 = std::chrono::steady_clock::now();
  std::string name = impl_->fresh_name(d);
  auto module = impl_->new_module(name);
  llvm::Function* fn = impl_->new_kernel_function(*module, name);
  KernelInfo info = kernel_work_items(d);
  emitter.emit(*fn, d);  // a throw drops the half-built module with it
  impl_->stats.emit_seconds += seconds_since(t0);

  impl_->modules.push_back(std::move(module));
  impl_->entries.push_back({name, key, info});
  impl_->name_by_key[key] = name;
  impl_->taken_names.insert(name);
  impl_->stats.kernels++;
  return name;
}

const std::vector<KernelEntry>& KernelCompiler::kernels() const { return impl_->entries; }

std::string KernelCompiler::compile(const CompileOptions& opts) {
  impl_->check_live();
  impl_->spent = true;
  auto& tm = *impl_->tm;
  for (size_t i = 0; i < impl_->modules.size(); ++i) {
    llvm::Module& m = *impl_->modules[i];
    const std::string& name = impl_->entries[i].name;
    auto t0 = std::chrono::steady_clock::now();
    verify_module(m, name);
    optimize_module(m, tm);
    impl_->stats.optimize_seconds += seconds_since(t0);

    auto t1 = std::chrono::steady_clock::now();
    if (!opts.dump_llvm_ir_dir.empty()) write_file(opts.dump_llvm_ir_dir, name + ".ll", ir_text(m));
    if (!opts.dump_asm_dir.empty()) {
      // Code generation rewrites the IR it runs on (CodeGenPrepare), so the
      // listing is made from a copy and the module stays pristine for linking.
      auto copy = llvm::CloneModule(m);
      write_file(opts.dump_asm_dir, name + ".s", emit_machine_code(*copy, tm, MachineCodeKind::Assembly));
    }
    impl_->stats.codegen_seconds += seconds_since(t1);
  }

  auto t2 = std::chrono::steady_clock::now();
  auto all = impl_->new_module("lmc_kernels");
  llvm::Linker linker(*all);
  for (auto& m : impl_->modules)
    if (linker.linkInModule(std::move(m)))
      throw Error("codegen: error: cannot link kernel modules");
  impl_->modules.clear();
  std::string object = emit_machine_code(*all, tm, MachineCodeKind::Object);
  impl_->stats.codegen_seconds += seconds_since(t2);
  return object;
}

const CompileStats& KernelCompiler::stats() const { return impl_->stats; }
const TargetSpec& KernelCompiler::target() const { return impl_->target; }

}  // namespace lmc::codegen
