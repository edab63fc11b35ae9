#include "codegen/attention_tile.h"

#include <algorithm>
#include <limits>

#include <llvm/IR/Intrinsics.h>

#include "codegen/cache_rows.h"
#include "codegen/llvm_math.h"

namespace lmc::codegen {

namespace {

// Keys per block: the accumulators are rescaled once per block, and the block's
// converted K and V (64 * head_dim floats each) stay in L2 while the run uses them.
constexpr int64_t kBlock = 64;
constexpr unsigned kLanes = 8;
constexpr int kScoreQueries = 3;  // score tile: 3 query vectors x 4 keys
constexpr int kScoreKeys = 4;
constexpr int kValueQueries = 3;  // output tile: 3 query vectors x 4 vectors of head_dim
constexpr int kValueVectors = 4;

int64_t round_up(int64_t n, int64_t multiple) { return (n + multiple - 1) / multiple * multiple; }

llvm::Value* min64(Builder& b, llvm::Value* x, llvm::Value* y) {
  return b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, x, y);
}

// v (<n x float>) widened to `lanes` with zeros.
llvm::Value* pad(Builder& b, llvm::Value* v, int64_t lanes) {
  auto n = static_cast<int>(llvm::cast<llvm::FixedVectorType>(v->getType())->getNumElements());
  if (n == lanes) return v;
  std::vector<int> mask;
  for (int i = 0; i < lanes; ++i) mask.push_back(i < n ? i : n);
  return b.CreateShuffleVector(v, llvm::Constant::getNullValue(v->getType()), mask);
}

llvm::Value* f32_at(Builder& b, llvm::Value* base, llvm::Value* i) {
  return b.CreateLoad(b.getFloatTy(), f32_ptr(b, base, i));
}

llvm::Value* i64_at(Builder& b, llvm::Value* base, llvm::Value* i) {
  return b.CreateLoad(b.getInt64Ty(), elem_ptr(b, b.getInt64Ty(), base, i));
}

}  // namespace

int64_t AttentionShape::block() const { return slots.sym ? kBlock : std::min(kBlock, slots.value); }

int64_t AttentionShape::max_tile_rows() const { return std::max<int64_t>(1, kTileQueries / group()); }

AttentionTile::AttentionTile(Builder& b, const AttentionShape& s, llvm::Value* q, llvm::Value* slots)
    : b_(b), s_(s), q_(q), slots_(slots), hd_pad_(round_up(s.head_dim, kLanes)), keys_pad_(round_up(s.block(), kLanes)) {
  int64_t queries = std::max(kTileQueries, s.group());
  auto* f = b.getFloatTy();
  qs_ = stack_array(b, f, queries * hd_pad_);
  os_ = stack_array(b, f, queries * hd_pad_);
  ks_ = stack_array(b, f, keys_pad_ * hd_pad_);
  vs_ = stack_array(b, f, keys_pad_ * hd_pad_);
  ps_ = stack_array(b, f, queries * keys_pad_);
  max_ = stack_array(b, f, queries);
  sum_ = stack_array(b, f, queries);
  corr_ = stack_array(b, f, queries);
  lo_ = stack_array(b, b.getInt64Ty(), queries);
  hi_ = stack_array(b, b.getInt64Ty(), queries);
}

// Query vector m of a run is head m % heads of row m / heads.
llvm::Value* AttentionTile::query_row(const QueryRun& run, llvm::Value* m) {
  return b_.CreateAdd(run.row, b_.CreateUDiv(m, run.heads));
}

llvm::Value* AttentionTile::query_head(const QueryRun& run, llvm::Value* m) {
  return b_.CreateAdd(run.head, b_.CreateURem(m, run.heads));
}

void AttentionTile::attend(const QueryRun& run, const StoreHead& store) {
  auto& b = b_;
  auto* count = b.CreateMul(run.rows, run.heads);
  start(run, count);
  // Rows at consecutive positions: the first row's keys start first, the last row's end last.
  auto* lo = i64_at(b, lo_, i64c(b, 0));
  auto* hi = b.CreateAdd(run.position, run.rows);
  emit_for(b, lo, hi, s_.block(), [&](llvm::Value* first) {
    auto* n = min64(b, i64c(b, s_.block()), b.CreateSub(hi, first));
    auto* n_pad = b.CreateAnd(b.CreateAdd(n, i64c(b, kLanes - 1)), i64c(b, -static_cast<int64_t>(kLanes)));
    load_block(run, first, n, n_pad);
    scores(count, first, n_pad);
    softmax(count, n_pad);
    accumulate(count, n);
  }, "block");
  finish(run, count, store);
}

// Scaled queries, zero accumulators, and each query vector's keys [lo, hi): up to its
// own position, from its window's start.
void AttentionTile::start(const QueryRun& run, llvm::Value* count) {
  auto& b = b_;
  auto hd = static_cast<unsigned>(s_.head_dim);
  emit_for(b, i64c(b, 0), count, 1, [&](llvm::Value* m) {
    auto* item = b.CreateAdd(b.CreateMul(query_row(run, m), i64c(b, s_.heads)), query_head(run, m));
    auto* qv = b.CreateAlignedLoad(f32x(b, hd), f32_ptr(b, q_, b.CreateMul(item, i64c(b, s_.head_dim))),
                                   llvm::Align(4));
    auto* row = b.CreateMul(m, i64c(b, hd_pad_));
    store_f32x(b, pad(b, b.CreateFMul(qv, splat_f32(b, hd, s_.scale)), hd_pad_), f32_ptr(b, qs_, row));
    store_f32x(b, splat_f32(b, static_cast<unsigned>(hd_pad_), 0.0f), f32_ptr(b, os_, row));
    // A finite floor: a block masked entirely for a row then gives weights exp(-inf) = 0
    // and a rescale exp(0) = 1 instead of NaN.
    b.CreateStore(f32c(b, -std::numeric_limits<float>::max()), f32_ptr(b, max_, m));
    b.CreateStore(f32c(b, 0.0f), f32_ptr(b, sum_, m));
    auto* end = b.CreateAdd(run.position, b.CreateAdd(b.CreateUDiv(m, run.heads), i64c(b, 1)));
    llvm::Value* lo = i64c(b, 0);
    if (s_.window) lo = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, lo, b.CreateSub(end, i64c(b, s_.window)));
    b.CreateStore(lo, elem_ptr(b, b.getInt64Ty(), lo_, m));
    b.CreateStore(end, elem_ptr(b, b.getInt64Ty(), hi_, m));
  }, "query");
}

// Keys first .. first + n - 1 (slot j % C) into ks_ as floats, up to n_pad rows (the
// ones past n repeat the last key: finite, and masked in the scores); values into vs_.
void AttentionTile::load_block(const QueryRun& run, llvm::Value* first, llvm::Value* n, llvm::Value* n_pad) {
  auto& b = b_;
  auto* first_slot = b.CreateSRem(first, slots_);
  auto convert = [&](llvm::Value* cache, ir::DType dtype, llvm::Value* dst, llvm::Value* end, llvm::Value* last) {
    emit_for(b, i64c(b, 0), end, 1, [&](llvm::Value* i) {
      auto* slot = b.CreateAdd(first_slot, min64(b, i, last));
      slot = b.CreateSelect(b.CreateICmpSGE(slot, slots_), b.CreateSub(slot, slots_), slot);
      auto* src = byte_ptr(b, cache, b.CreateMul(slot, i64c(b, s_.row_bytes(dtype))));
      store_f32x(b, pad(b, load_cache_values(b, dtype, src, s_.head_dim), hd_pad_),
                 f32_ptr(b, dst, b.CreateMul(i, i64c(b, hd_pad_))));
    }, "convert");
  };
  auto* last = b.CreateSub(n, i64c(b, 1));
  convert(run.k, s_.k_dtype, ks_, n_pad, last);
  convert(run.v, s_.v_dtype, vs_, n, last);
}

// ps_[m][i] = softcap(q_m · k_i), or -inf where key first + i is not one of m's keys.
void AttentionTile::scores(llvm::Value* count, llvm::Value* first, llvm::Value* n_pad) {
  emit_for(b_, i64c(b_, 0), n_pad, kScoreKeys, [&](llvm::Value* k0) {
    emit_tiles(b_, count, kScoreQueries, [&](llvm::Value* m0, int rows) { score_tile(m0, rows, k0, first); }, "sq");
  }, "keys");
}

void AttentionTile::score_tile(llvm::Value* m0, int rows, llvm::Value* k0, llvm::Value* first) {
  auto& b = b_;
  std::vector<llvm::Value*> qrow, krow;
  for (int r = 0; r < rows; ++r) qrow.push_back(f32_ptr(b, qs_, b.CreateMul(b.CreateAdd(m0, i64c(b, r)), i64c(b, hd_pad_))));
  for (int c = 0; c < kScoreKeys; ++c)
    krow.push_back(f32_ptr(b, ks_, b.CreateMul(b.CreateAdd(k0, i64c(b, c)), i64c(b, hd_pad_))));
  Carried acc(static_cast<size_t>(rows * kScoreKeys), splat_f32(b, kLanes, 0.0f));
  acc = emit_for_carry(b, i64c(b, 0), i64c(b, hd_pad_), kLanes, acc, [&](llvm::Value* d, const Carried& cur) {
    Carried next(cur.size());
    std::vector<llvm::Value*> qv;
    for (auto* p : qrow) qv.push_back(load_f32x(b, f32_ptr(b, p, d), kLanes));
    for (int c = 0; c < kScoreKeys; ++c) {
      auto* kv = load_f32x(b, f32_ptr(b, krow[c], d), kLanes);
      for (int r = 0; r < rows; ++r) next[r * kScoreKeys + c] = fma(b, qv[r], kv, cur[r * kScoreKeys + c]);
    }
    return next;
  }, "dot");
  auto* keys = b.CreateAdd(b.CreateVectorSplat(kScoreKeys, b.CreateAdd(first, k0)),
                           llvm::ConstantVector::get({b.getInt64(0), b.getInt64(1), b.getInt64(2), b.getInt64(3)}));
  auto* neg_inf = splat_f32(b, kScoreKeys, -std::numeric_limits<float>::infinity());
  for (int r = 0; r < rows; ++r) {
    auto* m = b.CreateAdd(m0, i64c(b, r));
    llvm::Value* score = hsum4(b, &acc[static_cast<size_t>(r * kScoreKeys)]);
    if (s_.softcap != 0)
      score = b.CreateFMul(emit_tanh(b, b.CreateFMul(score, splat_f32(b, kScoreKeys, 1.0f / s_.softcap))),
                           splat_f32(b, kScoreKeys, s_.softcap));
    auto* lo = b.CreateVectorSplat(kScoreKeys, i64_at(b, lo_, m));
    auto* hi = b.CreateVectorSplat(kScoreKeys, i64_at(b, hi_, m));
    auto* mine = b.CreateAnd(b.CreateICmpSGE(keys, lo), b.CreateICmpSLT(keys, hi));
    store_f32x(b, b.CreateSelect(mine, score, neg_inf),
               f32_ptr(b, ps_, b.CreateAdd(b.CreateMul(m, i64c(b, keys_pad_)), k0)));
  }
}

// Per query vector: the new running max, the rescale of what came before, and the
// block's weights exp(score - max) in place of its scores.
void AttentionTile::softmax(llvm::Value* count, llvm::Value* n_pad) {
  auto& b = b_;
  emit_for(b, i64c(b, 0), count, 1, [&](llvm::Value* m) {
    auto* row = f32_ptr(b, ps_, b.CreateMul(m, i64c(b, keys_pad_)));
    Carried most = emit_for_carry(b, i64c(b, 0), n_pad, kLanes,
                                  {splat_f32(b, kLanes, -std::numeric_limits<float>::infinity())},
                                  [&](llvm::Value* i, const Carried& cur) {
      return Carried{vmax(b, cur[0], load_f32x(b, f32_ptr(b, row, i), kLanes))};
    }, "max");
    auto* old_max = f32_at(b, max_, m);
    auto* new_max = vmax(b, old_max, hmax(b, most[0]));
    auto* corr = emit_exp(b, b.CreateFSub(old_max, new_max));
    auto* mv = splat(b, kLanes, new_max);
    Carried total = emit_for_carry(b, i64c(b, 0), n_pad, kLanes, {splat_f32(b, kLanes, 0.0f)},
                                   [&](llvm::Value* i, const Carried& cur) {
      auto* p = f32_ptr(b, row, i);
      auto* w = emit_exp(b, b.CreateFSub(load_f32x(b, p, kLanes), mv));
      store_f32x(b, w, p);
      return Carried{b.CreateFAdd(cur[0], w)};
    }, "weight");
    b.CreateStore(new_max, f32_ptr(b, max_, m));
    b.CreateStore(fma(b, f32_at(b, sum_, m), corr, hsum(b, total[0])), f32_ptr(b, sum_, m));
    b.CreateStore(corr, f32_ptr(b, corr_, m));
  }, "softmax");
}

// os_ = os_ * corr + P·V over the block's n keys, in tiles of kValueVectors vectors of
// head_dim (the last tile of a head narrower when the vectors do not divide).
void AttentionTile::accumulate(llvm::Value* count, llvm::Value* n) {
  auto& b = b_;
  int64_t vectors = hd_pad_ / kLanes;
  int64_t whole = vectors / kValueVectors * kValueVectors * kLanes;
  emit_for(b, i64c(b, 0), i64c(b, whole), kValueVectors * kLanes, [&](llvm::Value* d) {
    emit_tiles(b, count, kValueQueries, [&](llvm::Value* m0, int rows) { value_tile(m0, rows, d, kValueVectors, n); },
               "vq");
  }, "dims");
  if (int rest = static_cast<int>(vectors % kValueVectors))
    emit_tiles(b, count, kValueQueries, [&](llvm::Value* m0, int rows) { value_tile(m0, rows, i64c(b, whole), rest, n); },
               "vq_rest");
}

void AttentionTile::value_tile(llvm::Value* m0, int rows, llvm::Value* d, int vectors, llvm::Value* n) {
  auto& b = b_;
  std::vector<llvm::Value*> orow, prow;
  Carried acc;
  for (int r = 0; r < rows; ++r) {
    auto* m = b.CreateAdd(m0, i64c(b, r));
    orow.push_back(f32_ptr(b, os_, b.CreateAdd(b.CreateMul(m, i64c(b, hd_pad_)), d)));
    prow.push_back(f32_ptr(b, ps_, b.CreateMul(m, i64c(b, keys_pad_))));
    auto* corr = splat(b, kLanes, f32_at(b, corr_, m));
    for (int v = 0; v < vectors; ++v)
      acc.push_back(b.CreateFMul(load_f32x(b, f32_ptr(b, orow[r], i64c(b, v * kLanes)), kLanes), corr));
  }
  acc = emit_for_carry(b, i64c(b, 0), n, 1, acc, [&](llvm::Value* i, const Carried& cur) {
    // The weights first, then one vector of v at a time: 12 accumulators, 3 weights and
    // 1 vector fill the 16 ymm registers exactly.
    auto* vrow = f32_ptr(b, vs_, b.CreateAdd(b.CreateMul(i, i64c(b, hd_pad_)), d));
    std::vector<llvm::Value*> w;
    for (int r = 0; r < rows; ++r) w.push_back(splat(b, kLanes, f32_at(b, prow[r], i)));
    Carried next(cur.size());
    for (int v = 0; v < vectors; ++v) {
      auto* vv = load_f32x(b, f32_ptr(b, vrow, i64c(b, v * kLanes)), kLanes);
      for (int r = 0; r < rows; ++r) next[r * vectors + v] = fma(b, w[r], vv, cur[r * vectors + v]);
    }
    return next;
  }, "key");
  for (int r = 0; r < rows; ++r)
    for (int v = 0; v < vectors; ++v) store_f32x(b, acc[r * vectors + v], f32_ptr(b, orow[r], i64c(b, v * kLanes)));
}

// Each query vector's output: its accumulator over its sum of weights.
void AttentionTile::finish(const QueryRun& run, llvm::Value* count, const StoreHead& store) {
  auto& b = b_;
  auto hd = static_cast<unsigned>(s_.head_dim);
  emit_for(b, i64c(b, 0), count, 1, [&](llvm::Value* m) {
    auto* acc = b.CreateAlignedLoad(f32x(b, hd), f32_ptr(b, os_, b.CreateMul(m, i64c(b, hd_pad_))), llvm::Align(4));
    auto* out = b.CreateFMul(acc, splat(b, hd, b.CreateFDiv(f32c(b, 1.0f), f32_at(b, sum_, m))));
    store(query_row(run, m), query_head(run, m), out);
  }, "finish");
}

}  // namespace lmc::codegen
