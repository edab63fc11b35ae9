#include "codegen/llvm/builder/llvm_helpers.h"

#include <llvm/IR/Function.h>
#include <llvm/IR/Intrinsics.h>

namespace lmc::codegen {

KernelParams kernel_params(llvm::Function& fn) {
  auto a = fn.arg_begin();
  return {a, a + 1, a + 2, a + 3};
}

Builder entry_builder(llvm::Function& fn) {
  auto* bb = llvm::BasicBlock::Create(fn.getContext(), "entry", &fn);
  return Builder(bb);
}

bool has_target_feature(const llvm::Function& fn, std::string_view feature) {
  llvm::StringRef list = fn.getFnAttribute("target-features").getValueAsString();
  llvm::SmallVector<llvm::StringRef, 64> items;
  list.split(items, ',');
  bool on = false;
  for (auto item : items)  // later entries override earlier ones, as in LLVM
    if (item.size() > 1 && item.substr(1) == llvm::StringRef(feature.data(), feature.size())) on = item[0] == '+';
  return on;
}

std::function<bool(std::string_view)> target_features_of(const llvm::Function& fn) {
  return [&fn](std::string_view feature) { return has_target_feature(fn, feature); };
}

llvm::Value* arg_pointer(Builder& b, const KernelParams& p, int index) {
  auto* slot = b.CreateConstInBoundsGEP1_64(b.getPtrTy(), p.args, index);
  return b.CreateAlignedLoad(b.getPtrTy(), slot, llvm::Align(8), "arg" + std::to_string(index));
}

llvm::Value* sym_value(Builder& b, const KernelParams& p, ir::Sym s) {
  auto* slot = b.CreateConstInBoundsGEP1_64(b.getInt64Ty(), p.syms, static_cast<int>(s));
  return b.CreateAlignedLoad(b.getInt64Ty(), slot, llvm::Align(8), ir::sym_name(s));
}

llvm::Value* dim_value(Builder& b, const KernelParams& p, const ir::Dim& d) {
  return d.sym ? sym_value(b, p, *d.sym) : i64c(b, d.value);
}

llvm::Value* stack_array(Builder& b, llvm::Type* elem, int64_t count, unsigned align) {
  llvm::BasicBlock& entry = b.GetInsertBlock()->getParent()->getEntryBlock();
  Builder eb(&entry, entry.begin());
  auto* a = eb.CreateAlloca(elem, eb.getInt64(static_cast<uint64_t>(count)));
  a->setAlignment(llvm::Align(align));
  return a;
}

llvm::Value* i32_at(Builder& b, llvm::Value* array, llvm::Value* i) {
  auto* v = b.CreateAlignedLoad(b.getInt32Ty(), b.CreateInBoundsGEP(b.getInt32Ty(), array, i), llvm::Align(4));
  return b.CreateSExt(v, b.getInt64Ty());
}

llvm::Value* i64c(Builder& b, int64_t v) { return b.getInt64(static_cast<uint64_t>(v)); }
llvm::Value* f32c(Builder& b, float v) { return llvm::ConstantFP::get(b.getFloatTy(), v); }

llvm::FixedVectorType* f32x(Builder& b, unsigned lanes) { return llvm::FixedVectorType::get(b.getFloatTy(), lanes); }

llvm::FixedVectorType* i32x(Builder& b, unsigned lanes) { return llvm::FixedVectorType::get(b.getInt32Ty(), lanes); }

llvm::FixedVectorType* i8x(Builder& b, unsigned lanes) { return llvm::FixedVectorType::get(b.getInt8Ty(), lanes); }

llvm::FixedVectorType* i16x(Builder& b, unsigned lanes) { return llvm::FixedVectorType::get(b.getInt16Ty(), lanes); }

llvm::Value* min64(Builder& b, llvm::Value* x, llvm::Value* y) {
  return b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, x, y);
}

llvm::Value* splat(Builder& b, unsigned lanes, llvm::Value* scalar) { return b.CreateVectorSplat(lanes, scalar); }

namespace {

unsigned lanes_of(llvm::Value* v) {
  return static_cast<unsigned>(llvm::cast<llvm::FixedVectorType>(v->getType())->getNumElements());
}

std::vector<int> lane_range(unsigned from, unsigned count) {
  std::vector<int> out;
  for (unsigned i = 0; i < count; ++i) out.push_back(static_cast<int>(from + i));
  return out;
}

}  // namespace

llvm::Value* concat(Builder& b, llvm::Value* low, llvm::Value* high) {
  return b.CreateShuffleVector(low, high, lane_range(0, 2 * lanes_of(low)));
}

std::array<llvm::Value*, 2> halves(Builder& b, llvm::Value* v) {
  unsigned half = lanes_of(v) / 2;
  return {b.CreateShuffleVector(v, lane_range(0, half)), b.CreateShuffleVector(v, lane_range(half, half))};
}

llvm::Value* splat_f32(Builder& b, unsigned lanes, float v) { return splat(b, lanes, f32c(b, v)); }

llvm::Value* f32_like(Builder& b, llvm::Value* x, float v) {
  auto* vt = llvm::dyn_cast<llvm::FixedVectorType>(x->getType());
  return vt ? splat_f32(b, vt->getNumElements(), v) : f32c(b, v);
}

llvm::Value* elem_ptr(Builder& b, llvm::Type* elem, llvm::Value* base, llvm::Value* index) {
  return b.CreateInBoundsGEP(elem, base, index);
}

llvm::Value* f32_ptr(Builder& b, llvm::Value* base, llvm::Value* index) {
  return elem_ptr(b, b.getFloatTy(), base, index);
}

llvm::Value* byte_ptr(Builder& b, llvm::Value* base, llvm::Value* offset) {
  return elem_ptr(b, b.getInt8Ty(), base, offset);
}

llvm::Value* load_f32x(Builder& b, llvm::Value* ptr, unsigned lanes) {
  return b.CreateAlignedLoad(f32x(b, lanes), ptr, llvm::Align(4));
}

void store_f32x(Builder& b, llvm::Value* v, llvm::Value* ptr) { b.CreateAlignedStore(v, ptr, llvm::Align(4)); }

llvm::Value* lane_mask(Builder& b, unsigned lanes, llvm::Value* count) {
  std::vector<llvm::Constant*> idx;
  for (unsigned i = 0; i < lanes; ++i) idx.push_back(b.getInt64(i));
  return b.CreateICmpSLT(llvm::ConstantVector::get(idx), splat(b, lanes, count));
}

llvm::Value* masked_load_f32x(Builder& b, llvm::Value* ptr, unsigned lanes, llvm::Value* count) {
  return b.CreateMaskedLoad(f32x(b, lanes), ptr, llvm::Align(4), lane_mask(b, lanes, count),
                            llvm::Constant::getNullValue(f32x(b, lanes)));
}

void masked_store_f32x(Builder& b, llvm::Value* v, llvm::Value* ptr, llvm::Value* count) {
  unsigned lanes = llvm::cast<llvm::FixedVectorType>(v->getType())->getNumElements();
  b.CreateMaskedStore(v, ptr, llvm::Align(4), lane_mask(b, lanes, count));
}

llvm::Value* load_f32x_n(Builder& b, llvm::Value* ptr, unsigned lanes, llvm::Value* count) {
  return count ? masked_load_f32x(b, ptr, lanes, count) : load_f32x(b, ptr, lanes);
}

void store_f32x_n(Builder& b, llvm::Value* v, llvm::Value* ptr, llvm::Value* count) {
  if (count)
    masked_store_f32x(b, v, ptr, count);
  else
    store_f32x(b, v, ptr);
}

llvm::Value* fma(Builder& b, llvm::Value* a, llvm::Value* x, llvm::Value* c) {
  return b.CreateIntrinsic(llvm::Intrinsic::fma, {a->getType()}, {a, x, c});
}

llvm::Value* vmax(Builder& b, llvm::Value* x, llvm::Value* y) {
  return b.CreateBinaryIntrinsic(llvm::Intrinsic::maxnum, x, y);
}

llvm::Value* vmin(Builder& b, llvm::Value* x, llvm::Value* y) {
  return b.CreateBinaryIntrinsic(llvm::Intrinsic::minnum, x, y);
}

llvm::Value* vabs(Builder& b, llvm::Value* x) { return b.CreateUnaryIntrinsic(llvm::Intrinsic::fabs, x); }

llvm::Value* vsqrt(Builder& b, llvm::Value* x) { return b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, x); }

namespace {
// Folds the upper half of v onto the lower half until one lane is left; the odd
// lane of an odd-sized vector joins at the end.
llvm::Value* reduce(Builder& b, llvm::Value* v, const std::function<llvm::Value*(llvm::Value*, llvm::Value*)>& op) {
  unsigned n = llvm::cast<llvm::FixedVectorType>(v->getType())->getNumElements();
  std::vector<llvm::Value*> odd_lanes;
  while (n > 1) {
    if (n % 2) odd_lanes.push_back(b.CreateExtractElement(v, uint64_t{n - 1}));
    std::vector<int> lo, hi;
    for (unsigned i = 0; i < n / 2; ++i) {
      lo.push_back(static_cast<int>(i));
      hi.push_back(static_cast<int>(i + n / 2));
    }
    v = op(b.CreateShuffleVector(v, lo), b.CreateShuffleVector(v, hi));
    n /= 2;
  }
  llvm::Value* r = b.CreateExtractElement(v, uint64_t{0});
  for (llvm::Value* x : odd_lanes) r = op(r, x);
  return r;
}
}  // namespace

llvm::Value* hsum(Builder& b, llvm::Value* v) {
  return reduce(b, v, [&](llvm::Value* x, llvm::Value* y) { return b.CreateFAdd(x, y); });
}

llvm::Value* hmax(Builder& b, llvm::Value* v) {
  return reduce(b, v, [&](llvm::Value* x, llvm::Value* y) { return vmax(b, x, y); });
}

namespace {
llvm::Value* add(Builder& b, llvm::Value* x, llvm::Value* y) {
  return x->getType()->isFPOrFPVectorTy() ? b.CreateFAdd(x, y) : b.CreateAdd(x, y);
}

// Lane-pairwise sums within 128-bit halves (vhaddps, vphaddd).
llvm::Value* hadd(Builder& b, llvm::Value* x, llvm::Value* y) {
  return add(b, b.CreateShuffleVector(x, y, {0, 2, 8, 10, 4, 6, 12, 14}),
             b.CreateShuffleVector(x, y, {1, 3, 9, 11, 5, 7, 13, 15}));
}
}  // namespace

llvm::Value* hsum4(Builder& b, llvm::Value* const* v) {
  auto* g = hadd(b, hadd(b, v[0], v[1]), hadd(b, v[2], v[3]));
  return b.CreateFAdd(b.CreateShuffleVector(g, {0, 1, 2, 3}), b.CreateShuffleVector(g, {4, 5, 6, 7}));
}

std::array<llvm::Value*, 2> hsum8_halves(Builder& b, llvm::Value* const* v) {
  // Each: the sums of four vectors' low halves in lanes 0..3, of their high halves in 4..7.
  auto* first = hadd(b, hadd(b, v[0], v[1]), hadd(b, v[2], v[3]));
  auto* second = hadd(b, hadd(b, v[4], v[5]), hadd(b, v[6], v[7]));
  return {b.CreateShuffleVector(first, second, {0, 1, 2, 3, 8, 9, 10, 11}),
          b.CreateShuffleVector(first, second, {4, 5, 6, 7, 12, 13, 14, 15})};
}

llvm::Value* hsum8(Builder& b, llvm::Value* const* v) {
  std::array<llvm::Value*, 2> halves = hsum8_halves(b, v);
  return add(b, halves[0], halves[1]);
}

llvm::Value* load_f16_as_f32(Builder& b, llvm::Value* ptr) {
  auto* h = b.CreateAlignedLoad(b.getHalfTy(), ptr, llvm::Align(1));
  return b.CreateFPExt(h, b.getFloatTy());
}

llvm::Value* load_f16x_as_f32x(Builder& b, llvm::Value* ptr, unsigned lanes) {
  auto* h = b.CreateAlignedLoad(llvm::FixedVectorType::get(b.getHalfTy(), lanes), ptr, llvm::Align(2));
  return b.CreateFPExt(h, f32x(b, lanes));
}

namespace {

// !llvm.loop metadata: neither unroll nor vectorize (and so nor interleave) the loop.
llvm::MDNode* rolled_loop(llvm::LLVMContext& ctx) {
  llvm::Metadata* unroll[] = {llvm::MDString::get(ctx, "llvm.loop.unroll.disable")};
  llvm::Metadata* vectorize[] = {llvm::MDString::get(ctx, "llvm.loop.vectorize.enable"),
                                 llvm::ConstantAsMetadata::get(llvm::ConstantInt::getFalse(ctx))};
  llvm::Metadata* ops[] = {nullptr, llvm::MDNode::get(ctx, unroll), llvm::MDNode::get(ctx, vectorize)};
  llvm::MDNode* self = llvm::MDNode::getDistinct(ctx, ops);
  self->replaceOperandWith(0, self);
  return self;
}

Carried loop_carry(Builder& b, llvm::Value* begin, llvm::Value* end, int64_t step, Carried init,
                   const std::function<Carried(llvm::Value* i, const Carried& cur)>& body, const char* name,
                   bool rolled) {
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  auto& ctx = fn->getContext();
  llvm::BasicBlock* pre = b.GetInsertBlock();
  auto* head = llvm::BasicBlock::Create(ctx, std::string(name) + ".head", fn);
  auto* loop = llvm::BasicBlock::Create(ctx, std::string(name) + ".body", fn);
  auto* exit = llvm::BasicBlock::Create(ctx, std::string(name) + ".exit", fn);
  b.CreateBr(head);

  b.SetInsertPoint(head);
  auto* i = b.CreatePHI(b.getInt64Ty(), 2, name);
  i->addIncoming(begin, pre);
  std::vector<llvm::PHINode*> phis;
  Carried cur;
  for (auto* v : init) {
    auto* phi = b.CreatePHI(v->getType(), 2);
    phi->addIncoming(v, pre);
    phis.push_back(phi);
    cur.push_back(phi);
  }
  b.CreateCondBr(b.CreateICmpSLT(i, end), loop, exit);

  b.SetInsertPoint(loop);
  Carried next = body(i, cur);
  auto* inc = b.CreateAdd(i, b.getInt64(static_cast<uint64_t>(step)), std::string(name) + ".next", true, true);
  llvm::BasicBlock* latch = b.GetInsertBlock();
  i->addIncoming(inc, latch);
  for (size_t k = 0; k < phis.size(); ++k) phis[k]->addIncoming(next[k], latch);
  auto* back = b.CreateBr(head);
  if (rolled) back->setMetadata(llvm::LLVMContext::MD_loop, rolled_loop(ctx));

  b.SetInsertPoint(exit);
  return cur;
}

}  // namespace

Carried emit_for_carry(Builder& b, llvm::Value* begin, llvm::Value* end, int64_t step, Carried init,
                       const std::function<Carried(llvm::Value* i, const Carried& cur)>& body, const char* name) {
  return loop_carry(b, begin, end, step, std::move(init), body, name, false);
}

Carried emit_rolled_for_carry(Builder& b, llvm::Value* begin, llvm::Value* end, int64_t step, Carried init,
                              const std::function<Carried(llvm::Value* i, const Carried& cur)>& body,
                              const char* name) {
  return loop_carry(b, begin, end, step, std::move(init), body, name, true);
}

void emit_for(Builder& b, llvm::Value* begin, llvm::Value* end, int64_t step,
              const std::function<void(llvm::Value* i)>& body, const char* name) {
  emit_for_carry(
      b, begin, end, step, {},
      [&](llvm::Value* i, const Carried&) {
        body(i);
        return Carried{};
      },
      name);
}

void emit_if(Builder& b, llvm::Value* cond, const std::function<void()>& then) {
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  auto* yes = llvm::BasicBlock::Create(fn->getContext(), "then", fn);
  auto* done = llvm::BasicBlock::Create(fn->getContext(), "endif", fn);
  b.CreateCondBr(cond, yes, done);
  b.SetInsertPoint(yes);
  then();
  b.CreateBr(done);
  b.SetInsertPoint(done);
}

llvm::Value* round_down(Builder& b, llvm::Value* begin, llvm::Value* end, int64_t multiple) {
  auto* n = b.CreateSub(end, begin);
  auto* whole = b.CreateMul(b.CreateSDiv(n, i64c(b, multiple)), i64c(b, multiple));
  return b.CreateAdd(begin, whole);
}

void emit_tiles(Builder& b, llvm::Value* n, int size, const std::function<void(llvm::Value* i, int count)>& body,
                const char* name) {
  auto* whole = round_down(b, i64c(b, 0), n, size);
  emit_for(b, i64c(b, 0), whole, size, [&](llvm::Value* i) { body(i, size); }, name);
  if (size == 1) return;
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  auto* done = llvm::BasicBlock::Create(fn->getContext(), std::string(name) + ".done", fn);
  auto* sw = b.CreateSwitch(b.CreateSub(n, whole), done, static_cast<unsigned>(size - 1));
  for (int r = 1; r < size; ++r) {
    auto* bb = llvm::BasicBlock::Create(fn->getContext(), std::string(name) + std::to_string(r), fn);
    sw->addCase(b.getInt64(static_cast<uint64_t>(r)), bb);
    b.SetInsertPoint(bb);
    body(whole, r);
    b.CreateBr(done);
  }
  b.SetInsertPoint(done);
}

namespace {
// The tail chunk [i, end) of emit_chunks: constant sizes need no branch.
void emit_tail(Builder& b, llvm::Value* i, llvm::Value* end, const ChunkBody& body) {
  auto* count = b.CreateSub(end, i);
  if (auto* c = llvm::dyn_cast<llvm::ConstantInt>(count)) {
    if (!c->isZero()) body(i, count);
    return;
  }
  emit_if(b, b.CreateICmpSGT(count, i64c(b, 0)), [&] { body(i, count); });
}
}  // namespace

void emit_chunks(Builder& b, llvm::Value* begin, llvm::Value* end, unsigned lanes, const ChunkBody& body) {
  auto* whole_end = round_down(b, begin, end, lanes);
  emit_for(b, begin, whole_end, lanes, [&](llvm::Value* i) { body(i, nullptr); }, "chunk");
  emit_tail(b, whole_end, end, body);
}

Carried emit_chunks_carry(Builder& b, int64_t n, unsigned lanes, Carried init, const ChunkCarryBody& body) {
  int64_t whole = n / lanes * lanes;
  Carried cur = emit_for_carry(
      b, i64c(b, 0), i64c(b, whole), lanes, std::move(init),
      [&](llvm::Value* i, const Carried& c) { return body(i, nullptr, c); }, "chunk");
  if (whole < n) cur = body(i64c(b, whole), i64c(b, n - whole), cur);
  return cur;
}

}  // namespace lmc::codegen
