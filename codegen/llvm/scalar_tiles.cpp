#include "codegen/llvm/scalar_tiles.h"

#include <mutex>
#include <vector>

#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/IntrinsicsX86.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/CommandLine.h>

#include "support/error.h"

namespace lmc::codegen {

namespace {

constexpr int64_t kMaxTileBytes = 16 * 64;

void enable_scalarization() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto& options = llvm::cl::getRegisteredOptions();
    auto it = options.find("enable-x86-scalar-amx");
    if (it == options.end()) throw Error("codegen: error: this LLVM has no scalarization of AMX intrinsics");
    it->second->addOccurrence(0, "enable-x86-scalar-amx", "true");
  });
}

llvm::GlobalVariable* zero_tile(llvm::Module& m) {
  auto* type = llvm::ArrayType::get(llvm::Type::getInt8Ty(m.getContext()), kMaxTileBytes);
  auto* g = new llvm::GlobalVariable(m, type, true, llvm::GlobalValue::PrivateLinkage,
                                     llvm::ConstantAggregateZero::get(type), "lmc.zero_tile");
  g->setAlignment(llvm::Align(64));
  return g;
}

}  // namespace

void prepare_scalar_tiles(llvm::Module& m) {
  enable_scalarization();
  std::vector<llvm::IntrinsicInst*> zeros;
  for (auto& fn : m)
    for (auto& block : fn)
      for (auto& inst : block)
        if (auto* call = llvm::dyn_cast<llvm::IntrinsicInst>(&inst);
            call && call->getIntrinsicID() == llvm::Intrinsic::x86_tilezero_internal)
          zeros.push_back(call);
  if (zeros.empty()) return;
  llvm::GlobalVariable* zero = zero_tile(m);
  for (llvm::IntrinsicInst* call : zeros) {
    llvm::IRBuilder<> b(call);
    auto* load = b.CreateIntrinsic(llvm::Intrinsic::x86_tileloadd64_internal, {},
                                   {call->getArgOperand(0), call->getArgOperand(1), zero, b.getInt64(64)});
    call->replaceAllUsesWith(load);
    call->eraseFromParent();
  }
}

}  // namespace lmc::codegen
