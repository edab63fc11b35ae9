// attention(q[R, Hq*hd], kc[C, Hk*hd], vc[C, Hk*hd], positions[R], seq[R]) -> o[R, Hq*hd]:
// causal attention over the KV cache (GQA: query head h reads kv head h / (Hq/Hk)).
// Query row r sits at p = positions[r] in sequence seq[r] and attends to that
// sequence's key positions [lo, p], lo = p - window + 1 for a sliding window (else 0);
// key j lives in slot j % C of the sequence's cache (the caches of the sequence slots
// lie back to back, as kv_write writes them), so a window's cache is a ring. score = scale * q·k, optionally softcapped to c * tanh(score / c).
// The caches are read in their storage dtype (f32, f16 or q8_0 blocks, K and V each its
// own: codegen/cache_rows.h), each head's keys and values converted to floats as loaded.
//
// Softmax is online over blocks of keys (as in FlashAttention): a block's scores go
// to a small stack buffer, the running max moves once per block and rescales the
// running sum and the output accumulator, then the block's weights (exp, 8 lanes at a
// time) accumulate their v rows. A head is one <hd x float> vector: q·k is a
// vector multiply and a tree sum, and the v accumulation is a vector FMA that LLVM
// splits into ymm registers. The query heads that share a kv head (GQA) go through
// each key block together, so K and V are streamed from memory once per group.
// As the anchor of a fusion, each head's output passes through the region's epilogue
// (a scale, a residual) as it is stored. Work items: (row, query head) pairs, r * Hq + h.
#include <algorithm>
#include <limits>

#include <llvm/IR/Function.h>
#include <llvm/IR/Intrinsics.h>

#include "codegen/cache_rows.h"
#include "codegen/desc_access.h"
#include "codegen/describe_op.h"
#include "codegen/emitter.h"
#include "codegen/llvm_math.h"
#include "codegen/region_io.h"
#include "ir/op_traits.h"

namespace lmc::codegen {

namespace {

// Keys per softmax block: the accumulator is rescaled once per block instead of once
// per key, and a block of K and V rows (64 * head_dim floats each) stays in cache
// while the other heads of its group use it.
constexpr int64_t kBlock = 64;
constexpr unsigned kLanes = 8;

struct Shape {
  ir::Dim rows;
  int64_t heads = 0;
  int64_t kv_heads = 0;
  int64_t head_dim = 0;
  // C: a ring's static length, or the symbol C of a cache as long as the context (bound
  // at run time; keys never wrap there, as every position is below C).
  ir::Dim slots;
  float scale = 1;
  int64_t window = 0;
  float softcap = 0;
  ir::DType k_dtype = ir::DType::f32, v_dtype = ir::DType::f32;
  // At most C keys per block, so a block's slots wrap around the ring at most once.
  int64_t block() const { return slots.sym ? kBlock : std::min(kBlock, slots.value); }
  // Bytes of a cache row (every kv head), and of one kv head's part of it.
  int64_t row_bytes(ir::DType t) const { return ir::dtype_row_bytes(t, kv_heads * head_dim); }
  int64_t head_bytes(ir::DType t) const { return ir::dtype_row_bytes(t, head_dim); }
};

Shape shape(const KernelDesc& d) {
  expect_arity(d, 5, 1);
  Shape s;
  s.heads = attr_int(d, "n_heads");
  s.kv_heads = attr_int(d, "n_kv_heads");
  s.head_dim = attr_int(d, "head_dim");
  if (s.heads <= 0 || s.kv_heads <= 0 || s.head_dim <= 0 || s.heads % s.kv_heads)
    desc_error(d, "n_heads must be a positive multiple of n_kv_heads, head_dim positive");
  s.scale = static_cast<float>(attr_float(d, "scale"));
  s.window = attr_int_or(d, "window", 0);
  s.softcap = static_cast<float>(attr_float_or(d, "softcap", 0.0));
  if (s.window < 0 || s.softcap < 0) desc_error(d, "window and softcap must not be negative");

  Rows q = expect_f32_rows(d, d.operands[0], "q");
  if (q.width != s.heads * s.head_dim) desc_error(d, "q rows must hold n_heads * head_dim values");
  s.rows = q.rows;
  for (int i : {1, 2}) {
    const ir::Type& cache = d.operands[i];
    Rows c = expect_rows(d, cache, "kv cache");
    if (!is_cache_length(c.rows) || c.width != s.kv_heads * s.head_dim || !ir::is_cache_dtype(cache.dtype) ||
        s.head_dim % ir::dtype_block_elems(cache.dtype))
      desc_error(d, "kv caches must be [C, n_kv_heads * head_dim] of f32, f16 or q8_0 (whole blocks per head) with "
                    "C static or the symbol C, got " + cache.str());
    s.slots = c.rows;
  }
  if (d.operands[1].dims != d.operands[2].dims) desc_error(d, "k and v caches must have the same shape");
  s.k_dtype = d.operands[1].dtype;
  s.v_dtype = d.operands[2].dtype;
  expect_row_ids(d, d.operands[3], s.rows, "positions");
  expect_row_ids(d, d.operands[4], s.rows, "seq");
  if (!(d.results[0] == d.operands[0])) desc_error(d, "result must have q's type");
  return s;
}

// Everything one (row, head) item needs inside the generated loop.
struct Item {
  llvm::Value* q;       // <hd x float>, already multiplied by scale
  llvm::Value* k;       // &kc[0, kv_head * hd] of the row's sequence
  llvm::Value* v;       // &vc[0, kv_head * hd]
  llvm::Value* scores;  // stack buffer of block() floats, rounded up to whole vectors
  llvm::Value* slots;   // C, i64
};

llvm::FixedVectorType* head_type(Builder& b, const Shape& s) {
  return f32x(b, static_cast<unsigned>(s.head_dim));
}

// The ring slot of key first + i, given first_slot = first % C and i < C.
llvm::Value* slot_of(Builder& b, const Item& it, llvm::Value* first_slot, llvm::Value* i) {
  auto* slot = b.CreateAdd(first_slot, i);
  return b.CreateSelect(b.CreateICmpSGE(slot, it.slots), b.CreateSub(slot, it.slots), slot);
}

// The head's <hd x float> values in a slot of a cache stored as `dtype`.
llvm::Value* cache_row(Builder& b, const Shape& s, ir::DType dtype, llvm::Value* base, llvm::Value* slot) {
  return load_cache_values(b, dtype, byte_ptr(b, base, b.CreateMul(slot, i64c(b, s.row_bytes(dtype)))), s.head_dim);
}

llvm::Value* softcap(Builder& b, const Shape& s, llvm::Value* x) {
  if (s.softcap == 0) return x;
  return b.CreateFMul(emit_tanh(b, b.CreateFMul(x, f32_like(b, x, 1.0f / s.softcap))), f32_like(b, x, s.softcap));
}

// One block of n keys from key `first`: updates the running max m, sum l and
// accumulator acc (the carried values, in that order).
Carried attend_block(Builder& b, const Shape& s, const Item& it, llvm::Value* first, llvm::Value* n,
                     const Carried& state) {
  auto* first_slot = b.CreateSRem(first, it.slots);
  auto* neg_inf = f32c(b, -std::numeric_limits<float>::infinity());
  // Raw scores and their max; softcap is increasing, so it can wait for the max.
  Carried raw_max = emit_for_carry(b, i64c(b, 0), n, 1, {neg_inf}, [&](llvm::Value* i, const Carried& cur) {
    auto* score = hsum(b, b.CreateFMul(it.q, cache_row(b, s, s.k_dtype, it.k, slot_of(b, it, first_slot, i))));
    b.CreateStore(score, f32_ptr(b, it.scores, i));
    return Carried{vmax(b, cur[0], score)};
  }, "key");
  auto* m = vmax(b, state[0], softcap(b, s, raw_max[0]));
  auto* correction = emit_exp(b, b.CreateFSub(state[0], m));  // 0 on the first block (m was -inf)

  // Weights exp(score - m) in place, whole vectors (lanes past n are never read).
  auto* mv = splat(b, kLanes, m);
  emit_for(b, i64c(b, 0), n, kLanes, [&](llvm::Value* i) {
    auto* p = f32_ptr(b, it.scores, i);
    store_f32x(b, emit_exp(b, b.CreateFSub(softcap(b, s, load_f32x(b, p, kLanes)), mv)), p);
  }, "weight");

  auto hd = static_cast<unsigned>(s.head_dim);
  Carried init{b.CreateFMul(state[1], correction), b.CreateFMul(state[2], splat(b, hd, correction))};
  Carried sums = emit_for_carry(b, i64c(b, 0), n, 1, init, [&](llvm::Value* i, const Carried& cur) {
    auto* w = b.CreateLoad(b.getFloatTy(), f32_ptr(b, it.scores, i));
    auto* v = cache_row(b, s, s.v_dtype, it.v, slot_of(b, it, first_slot, i));
    return Carried{b.CreateFAdd(cur[0], w), fma(b, splat(b, hd, w), v, cur[1])};
  }, "value");
  return {m, sums[0], sums[1]};
}

// Running softmax state of the query heads of one group, kept on the stack across
// key blocks: max m, sum l and the <hd> accumulator per head.
struct GroupState {
  llvm::Value* m;
  llvm::Value* l;
  llvm::Value* acc;

  Carried load(Builder& b, const Shape& s, llvm::Value* j) const {
    auto* acc_j = f32_ptr(b, acc, b.CreateMul(j, i64c(b, s.head_dim)));
    return {b.CreateLoad(b.getFloatTy(), f32_ptr(b, m, j)), b.CreateLoad(b.getFloatTy(), f32_ptr(b, l, j)),
            b.CreateAlignedLoad(head_type(b, s), acc_j, llvm::Align(4))};
  }
  void store(Builder& b, const Shape& s, llvm::Value* j, const Carried& v) const {
    b.CreateStore(v[0], f32_ptr(b, m, j));
    b.CreateStore(v[1], f32_ptr(b, l, j));
    b.CreateAlignedStore(v[2], f32_ptr(b, acc, b.CreateMul(j, i64c(b, s.head_dim))), llvm::Align(4));
  }
};

// Items r * Hq + h are ordered so that the Hq/Hk query heads sharing a kv head are
// consecutive: item / (Hq/Hk) numbers the (row, kv head) groups. The heads of a
// group inside [begin, end) walk the keys together, block by block, so each block
// of K and V comes from memory once and is reused from cache by the other heads.
void emit(llvm::Function& fn, const KernelDesc& d) {
  FusedRegion region = fused_region(d);
  const ir::Op& a = *region.anchor;
  Shape s = shape(describe(a));
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  RegionIO io(b, p, region);
  llvm::Value* q = io.arg(a.operand(0));
  llvm::Value* kc = io.arg(a.operand(1));
  llvm::Value* vc = io.arg(a.operand(2));
  llvm::Value* positions = io.arg(a.operand(3));
  llvm::Value* seq = io.arg(a.operand(4));
  llvm::Value* o = io.first_output();
  int64_t group = s.heads / s.kv_heads;
  int64_t scratch = (s.block() + kLanes - 1) / kLanes * kLanes;
  llvm::Value* scores = stack_array(b, b.getFloatTy(), scratch);
  GroupState state{stack_array(b, b.getFloatTy(), group), stack_array(b, b.getFloatTy(), group),
                   stack_array(b, b.getFloatTy(), group * s.head_dim)};
  auto hd = static_cast<unsigned>(s.head_dim);
  auto* r = i64c(b, group);
  llvm::Value* slots = dim_value(b, p, s.slots);

  auto* groups_begin = b.CreateSDiv(p.begin, r);
  auto* groups_end = b.CreateSDiv(b.CreateAdd(p.end, i64c(b, group - 1)), r);
  emit_for(b, groups_begin, groups_end, 1, [&](llvm::Value* g) {
    auto* g_first = b.CreateMul(g, r);
    auto* first = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, p.begin, g_first);
    auto* last = b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, p.end, b.CreateAdd(g_first, r));
    auto* row = b.CreateSDiv(g, i64c(b, s.kv_heads));
    auto* first_slot = b.CreateMul(i32_at(b, seq, row), slots);  // of the row's sequence
    auto* kv_head = b.CreateSRem(g, i64c(b, s.kv_heads));
    auto head_start = [&](llvm::Value* cache, ir::DType t) {
      auto* row_start = b.CreateMul(first_slot, i64c(b, s.row_bytes(t)));
      return byte_ptr(b, cache, b.CreateAdd(row_start, b.CreateMul(kv_head, i64c(b, s.head_bytes(t)))));
    };
    auto* k = head_start(kc, s.k_dtype);
    auto* v = head_start(vc, s.v_dtype);

    auto* end = b.CreateAdd(i32_at(b, positions, row), i64c(b, 1));  // past this row's own position
    llvm::Value* lo = i64c(b, 0);
    if (s.window) lo = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, lo, b.CreateSub(end, i64c(b, s.window)));

    emit_for(b, first, last, 1, [&](llvm::Value* item) {
      state.store(b, s, b.CreateSub(item, g_first),
                  {f32c(b, -std::numeric_limits<float>::infinity()), f32c(b, 0), splat_f32(b, hd, 0)});
    }, "init");
    emit_for(b, lo, end, s.block(), [&](llvm::Value* block_first) {
      auto* n = b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, i64c(b, s.block()), b.CreateSub(end, block_first));
      emit_for(b, first, last, 1, [&](llvm::Value* item) {
        auto* j = b.CreateSub(item, g_first);
        auto* qv = b.CreateAlignedLoad(head_type(b, s), f32_ptr(b, q, b.CreateMul(item, i64c(b, s.head_dim))),
                                       llvm::Align(4));
        Item it{b.CreateFMul(qv, splat_f32(b, hd, s.scale)), k, v, scores, slots};
        state.store(b, s, j, attend_block(b, s, it, block_first, n, state.load(b, s, j)));
      }, "head");
    }, "block");
    emit_for(b, first, last, 1, [&](llvm::Value* item) {
      Carried fin = state.load(b, s, b.CreateSub(item, g_first));
      auto* out = b.CreateFMul(fin[2], splat(b, hd, b.CreateFDiv(f32c(b, 1.0f), fin[1])));
      if (!region.plain_output) {
        auto* col = b.CreateMul(b.CreateSRem(item, i64c(b, s.heads)), i64c(b, s.head_dim));
        io.store_output(b.CreateSDiv(item, i64c(b, s.heads)), col, out, hd, nullptr);
        return;
      }
      // item * hd == row * Hq*hd + head * hd
      b.CreateAlignedStore(out, f32_ptr(b, o, b.CreateMul(item, i64c(b, s.head_dim))), llvm::Align(4));
    }, "out");
  }, "group");
  b.CreateRetVoid();
}

KernelInfo info(const KernelDesc& d) {
  Shape s = shape(describe(*fused_region(d).anchor));
  KernelInfo k;
  if (s.rows.sym) {
    k.uses_sym = true;
    k.sym = *s.rows.sym;
    k.per_sym = s.heads;
  } else {
    k.fixed = s.rows.value * s.heads;
  }
  k.grain = 1;  // each item reads a whole window of keys
  return k;
}

}  // namespace

extern const Emitter kEmitAttention{"attention", emit, info};

}  // namespace lmc::codegen
