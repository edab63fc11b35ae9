#include "codegen/llvm/scalar_tiles.h"

#include <array>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
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

bool is_tile(const llvm::Value* v) { return v->getType()->isX86_AMXTy(); }

// A tile's rows and bytes a row: the first two operands of the intrinsic that made it
// (tileloadd, tdp*, tilezero), or of the one that made a tile a PHI takes in. The kernels'
// shapes are constants, so a slot's stores and loads may sit in any block.
std::array<llvm::Value*, 2> tile_shape(llvm::Value* v, std::unordered_set<llvm::Value*>& seen) {
  if (auto* call = llvm::dyn_cast<llvm::IntrinsicInst>(v)) {
    std::array<llvm::Value*, 2> shape{call->getArgOperand(0), call->getArgOperand(1)};
    if (!llvm::isa<llvm::Constant>(shape[0]) || !llvm::isa<llvm::Constant>(shape[1]))
      throw Error("codegen: error: scalar tiles take tiles of constant shapes only");
    return shape;
  }
  if (auto* phi = llvm::dyn_cast<llvm::PHINode>(v))
    for (llvm::Value* in : phi->incoming_values())
      if (seen.insert(in).second)
        if (auto shape = tile_shape(in, seen); shape[0]) return shape;
  return {nullptr, nullptr};
}

std::array<llvm::Value*, 2> tile_shape(llvm::Value* v) {
  std::unordered_set<llvm::Value*> seen{v};
  auto shape = tile_shape(v, seen);
  if (!shape[0]) throw Error("codegen: error: a tile whose shape no intrinsic gives");
  return shape;
}

// A tile's 1 KiB home on the stack, in the entry block.
llvm::Value* tile_slot(llvm::Function& fn) {
  llvm::IRBuilder<> b(&*fn.getEntryBlock().getFirstInsertionPt());
  auto* slot = b.CreateAlloca(llvm::ArrayType::get(b.getInt8Ty(), kMaxTileBytes));
  slot->setAlignment(llvm::Align(64));
  return slot;
}

void store_tile(llvm::IRBuilder<>& b, const std::array<llvm::Value*, 2>& shape, llvm::Value* slot, llvm::Value* tile) {
  b.CreateIntrinsic(llvm::Intrinsic::x86_tilestored64_internal, {}, {shape[0], shape[1], slot, b.getInt64(64), tile});
}

llvm::Value* load_tile(llvm::IRBuilder<>& b, const std::array<llvm::Value*, 2>& shape, llvm::Value* slot) {
  return b.CreateIntrinsic(llvm::Intrinsic::x86_tileloadd64_internal, {}, {shape[0], shape[1], slot, b.getInt64(64)});
}

// LLVM 19's scalarization takes a tile only within the block that made it: a tile a loop
// carries (a PHI: the accumulators of a tile GEMM's K loop) or a later block reads goes
// through memory instead — stored where it is made, loaded where it is read. The values
// are the same; only the tiles' traffic differs, and these kernels run only in tests.
void demote_tile_phis(llvm::Function& fn) {
  std::vector<llvm::PHINode*> phis;
  for (auto& block : fn)
    for (auto& phi : block.phis())
      if (is_tile(&phi)) phis.push_back(&phi);
  std::unordered_map<llvm::PHINode*, llvm::Value*> slot_of, load_of;
  for (llvm::PHINode* phi : phis) {
    slot_of[phi] = tile_slot(fn);
    llvm::IRBuilder<> b(&*phi->getParent()->getFirstInsertionPt());
    load_of[phi] = load_tile(b, tile_shape(phi), slot_of[phi]);
  }
  for (llvm::PHINode* phi : phis)
    for (unsigned i = 0; i < phi->getNumIncomingValues(); ++i) {
      llvm::Value* in = phi->getIncomingValue(i);
      if (llvm::isa<llvm::Constant>(in)) continue;  // poison on an edge the tile is not read from
      if (auto* from = llvm::dyn_cast<llvm::PHINode>(in); from && load_of.count(from)) in = load_of[from];
      llvm::IRBuilder<> b(phi->getIncomingBlock(i)->getTerminator());
      store_tile(b, tile_shape(phi), slot_of[phi], in);
    }
  for (llvm::PHINode* phi : phis) {
    phi->replaceAllUsesWith(load_of[phi]);
    phi->eraseFromParent();
  }
}

void demote_cross_block_tiles(llvm::Function& fn) {
  std::vector<llvm::Instruction*> tiles;
  for (auto& block : fn)
    for (auto& inst : block)
      if (is_tile(&inst)) tiles.push_back(&inst);
  for (llvm::Instruction* tile : tiles) {
    std::vector<llvm::Use*> far;
    for (llvm::Use& use : tile->uses())
      if (llvm::cast<llvm::Instruction>(use.getUser())->getParent() != tile->getParent()) far.push_back(&use);
    if (far.empty()) continue;
    auto shape = tile_shape(tile);
    llvm::Value* slot = tile_slot(fn);
    llvm::IRBuilder<> b(tile->getNextNode());
    store_tile(b, shape, slot, tile);
    for (llvm::Use* use : far) {
      b.SetInsertPoint(llvm::cast<llvm::Instruction>(use->getUser()));
      use->set(load_tile(b, shape, slot));
    }
  }
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
  if (!zeros.empty()) {
    llvm::GlobalVariable* zero = zero_tile(m);
    for (llvm::IntrinsicInst* call : zeros) {
      llvm::IRBuilder<> b(call);
      auto* load = b.CreateIntrinsic(llvm::Intrinsic::x86_tileloadd64_internal, {},
                                     {call->getArgOperand(0), call->getArgOperand(1), zero, b.getInt64(64)});
      call->replaceAllUsesWith(load);
      call->eraseFromParent();
    }
  }
  for (auto& fn : m) {
    if (fn.isDeclaration()) continue;
    demote_tile_phis(fn);
    demote_cross_block_tiles(fn);
  }
}

}  // namespace lmc::codegen
