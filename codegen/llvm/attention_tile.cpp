#include "codegen/llvm/attention_tile.h"

#include <algorithm>
#include <limits>

#include <llvm/IR/Intrinsics.h>

#include "codegen/llvm/builder/llvm_math.h"
#include "codegen/llvm/cache_rows.h"
#include "codegen/llvm/kv_pages.h"

namespace lmc::codegen {

namespace {

constexpr unsigned kLanes = 8;
// Register tiles of 12 accumulators: scores of 3 query vectors x 4 keys, outputs of 3
// query vectors x 4 vectors of head_dim. A tile of one query vector (what is left of a
// run after the tiles of 3) takes 8 keys or 8 vectors instead: its FMA chains would
// otherwise wait on each other (4-cycle latency, 2 per cycle).
constexpr int kScoreQueries = 3;
constexpr int kScoreKeys = 4;
constexpr int kValueQueries = 3;
constexpr int kValueVectors = 4;
constexpr int kSingleWidth = 8;

int64_t round_up(int64_t n, int64_t multiple) { return (n + multiple - 1) / multiple * multiple; }

// v (<n x float>) widened to `lanes` with zeros.
llvm::Value* pad(Builder& b, llvm::Value* v, int64_t lanes) {
  auto n = static_cast<int>(llvm::cast<llvm::FixedVectorType>(v->getType())->getNumElements());
  if (n == lanes) return v;
  std::vector<int> mask;
  for (int i = 0; i < lanes; ++i) mask.push_back(i < n ? i : n);
  return b.CreateShuffleVector(v, llvm::Constant::getNullValue(v->getType()), mask);
}

// c * tanh(x / c), for a score or a vector of them.
llvm::Value* softcap(Builder& b, llvm::Value* x, float c) {
  return b.CreateFMul(emit_tanh(b, b.CreateFMul(x, f32_like(b, x, 1.0f / c))), f32_like(b, x, c));
}

llvm::Value* f32_at(Builder& b, llvm::Value* base, llvm::Value* i) {
  return b.CreateLoad(b.getFloatTy(), f32_ptr(b, base, i));
}

llvm::Value* i64_at(Builder& b, llvm::Value* base, llvm::Value* i) {
  return b.CreateLoad(b.getInt64Ty(), elem_ptr(b, b.getInt64Ty(), base, i));
}

}  // namespace

AttentionTile::AttentionTile(Builder& b, const AttentionShape& s, llvm::Value* q, llvm::Value* slots, bool bf16_tiles)
    : b_(b),
      s_(s),
      q_(q),
      slots_(slots),
      hd_pad_(round_up(s.head_dim, bf16_tiles && AttentionBf16Tiles::fits(s) ? AttentionBf16Tiles::kDimStep : kLanes)),
      keys_pad_(round_up(s.block(), kLanes)) {
  int64_t queries = std::max(kTileQueries, s.group());
  if (bf16_tiles && AttentionBf16Tiles::fits(s)) {
    bf16_.emplace(b, s, hd_pad_, keys_pad_);
    queries = std::max(queries, AttentionBf16Tiles::kQueries);  // the tiles read kQueries rows
  }
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
  auto* tiles = bf16_ && tiles_when_ ? tiles_when_ : nullptr;
  if (tiles) emit_if(b, tiles, [&] { bf16_->queries(qs_, count); });
  // Rows at consecutive positions: the first row's keys start first, the last row's end
  // last. Blocks start at multiples of block(), whatever the run: a query vector then
  // meets its keys in the same blocks, and the same additions in the same order, in any
  // run, so that its result does not depend on the rows and heads beside it (nor on how
  // the threads cut the work items). A block's keys outside a vector's own add exactly 0.
  auto* lo = i64_at(b, lo_, i64c(b, 0));
  auto* hi = run.key_end ? run.key_end : b.CreateAdd(run.position, run.rows);
  if (run.key_ends) hi = last_key_end(count);
  auto* aligned = b.CreateMul(b.CreateSDiv(lo, i64c(b, s_.block())), i64c(b, s_.block()));
  emit_for(
      b, aligned, hi, s_.block(),
      [&](llvm::Value* first) {
        Block blk{first, nullptr, min64(b, i64c(b, s_.block()), b.CreateSub(hi, first)), nullptr};
    // The values of keys before the run's first are weighted 0: not read at all.
        blk.from = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, i64c(b, 0), b.CreateSub(lo, first));
        blk.n_pad = b.CreateAnd(b.CreateAdd(blk.n, i64c(b, kLanes - 1)), i64c(b, -static_cast<int64_t>(kLanes)));
        // A ring's block starts at its first key's slot; a paged one looks its keys up.
        llvm::Value* at = run.pages ? first : b.CreateSRem(first, slots_);
        auto* last = b.CreateSub(blk.n, i64c(b, 1));
        auto* end = b.CreateSub(hi, i64c(b, 1));
        BlockRows k{s_.k_dtype, run.k, s_.row_bytes(s_.k_dtype), at, last, run.pages, lo, end};
        BlockRows v{s_.v_dtype, run.v, s_.row_bytes(s_.v_dtype), at, last, run.pages, lo, end};
        BlockRows ks{ir::DType::f32, ks_, hd_pad_ * 4, nullptr, nullptr, nullptr, nullptr, nullptr};
        BlockRows vs{ir::DType::f32, vs_, hd_pad_ * 4, nullptr, nullptr, nullptr, nullptr, nullptr};
        auto to_scratch = [&] {
          convert(k, ks_, blk.n_pad);
          convert(v, vs_, blk.n);
        };
        auto* single = b.CreateICmpEQ(count, i64c(b, 1));
        emit_if(b, single, [&] {
          if (hd_pad_ == s_.head_dim) {
            one_query(blk, k, v);
            return;
          }
          to_scratch();  // cache rows ending off a whole vector
          one_query(blk, ks, vs);
        });
        auto vectors = [&] {
          to_scratch();
          scores(count, blk, ks);
          softmax(count, blk.n_pad);
          accumulate(count, blk, vs);
        };
        if (!tiles) {
          emit_if(b, b.CreateNot(single), vectors);
          return;
        }
        emit_if(b, b.CreateAnd(b.CreateNot(single), tiles), [&] { tile_block(count, blk, k, v); });
        emit_if(b, b.CreateAnd(b.CreateNot(single), b.CreateNot(tiles)), vectors);
      },
      "block");
  finish(run, count, store);
}

// Scaled queries, zero accumulators, and each query vector's keys [lo, hi): up to its
// own position (or the run's key_end), from its window's start.
void AttentionTile::start(const QueryRun& run, llvm::Value* count) {
  auto& b = b_;
  auto hd = static_cast<unsigned>(s_.head_dim);
  emit_for(
      b, i64c(b, 0), count, 1,
      [&](llvm::Value* m) {
        auto* item = b.CreateAdd(b.CreateMul(query_row(run, m), i64c(b, s_.heads)), query_head(run, m));
        auto* qv =
            b.CreateAlignedLoad(f32x(b, hd), f32_ptr(b, q_, b.CreateMul(item, i64c(b, s_.head_dim))), llvm::Align(4));
        auto* row = b.CreateMul(m, i64c(b, hd_pad_));
        store_f32x(b, pad(b, b.CreateFMul(qv, splat_f32(b, hd, s_.scale)), hd_pad_), f32_ptr(b, qs_, row));
        store_f32x(b, splat_f32(b, static_cast<unsigned>(hd_pad_), 0.0f), f32_ptr(b, os_, row));
    // A finite floor: a block masked entirely for a row then gives weights exp(-inf) = 0
    // and a rescale exp(0) = 1 instead of NaN.
        b.CreateStore(f32c(b, -std::numeric_limits<float>::max()), f32_ptr(b, max_, m));
        b.CreateStore(f32c(b, 0.0f), f32_ptr(b, sum_, m));
        // The window counts back from the row's own position, whatever keys past it it reads.
        auto* own_end = b.CreateAdd(run.position, b.CreateAdd(b.CreateUDiv(m, run.heads), i64c(b, 1)));
        llvm::Value* end = run.key_end ? run.key_end : own_end;
        if (run.key_ends) end = b.CreateAdd(i32_at(b, run.key_ends, query_row(run, m)), i64c(b, 1));
        llvm::Value* lo = i64c(b, 0);
        if (s_.window)
          lo = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, lo, b.CreateSub(own_end, i64c(b, s_.window)));
        b.CreateStore(lo, elem_ptr(b, b.getInt64Ty(), lo_, m));
        b.CreateStore(end, elem_ptr(b, b.getInt64Ty(), hi_, m));
      },
      "query");
}

// One past the last key any of the run's `count` query vectors reads (start() stored each one's).
llvm::Value* AttentionTile::last_key_end(llvm::Value* count) {
  auto& b = b_;
  Carried end = emit_for_carry(
      b, i64c(b, 0), count, 1, {i64c(b, 0)},
      [&](llvm::Value* m, const Carried& cur) {
        return Carried{b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, cur[0], i64_at(b, hi_, m))};
      },
      "key_end");
  return end[0];
}

// Row i of a block: in the scratch, or the cache's row of the block's key i (rows past
// the last repeat it: finite values for the padding, masked in the scores), a ring's slot
// (wrapping) or the row the page table names.
llvm::Value* AttentionTile::row_at(const BlockRows& rows, llvm::Value* i) {
  auto& b = b_;
  if (!rows.first) return byte_ptr(b, rows.base, b.CreateMul(i, i64c(b, rows.row_bytes)));
  llvm::Value* slot = b.CreateAdd(rows.first, min64(b, i, rows.last));
  if (rows.pages)
    slot = kv_page_row(b, rows.pages, b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, slot, rows.floor));
  else
    slot = b.CreateSelect(b.CreateICmpSGE(slot, slots_), b.CreateSub(slot, slots_), slot);
  return byte_ptr(b, rows.base, b.CreateMul(slot, i64c(b, rows.row_bytes)));
}

// The block's first `count` rows of a cache as floats into scratch `dst`, hd_pad apart,
// each row of the next block asked for into L2 meanwhile: a run's blocks of a long
// context come from L3 or memory, and their rows, one kv head's part of each cache row,
// are far apart for the hardware's prefetchers.
void AttentionTile::convert(const BlockRows& src, llvm::Value* dst, llvm::Value* count) {
  auto& b = b_;
  emit_for(
      b, i64c(b, 0), count, 1,
      [&](llvm::Value* i) {
        prefetch_next_block(src, i);
        store_f32x(b, pad(b, load_cache_values(b, src.dtype, row_at(src, i), s_.head_dim), hd_pad_),
                   f32_ptr(b, dst, b.CreateMul(i, i64c(b, hd_pad_))));
      },
      "convert");
}

// ps_[m][i] = softcap(q_m · k_i), or -inf where key first + i is not one of m's keys or
// lies past the block (the padding to whole vectors).
void AttentionTile::scores(llvm::Value* count, const Block& blk, const BlockRows& k) {
  auto& b = b_;
  emit_for(
      b, i64c(b, 0), blk.n_pad, kLanes,
      [&](llvm::Value* k0) {
        emit_tiles(
            b, count, kScoreQueries,
            [&](llvm::Value* m0, int rows) {
              if (rows == 1) {
                score_tile(m0, 1, k0, kSingleWidth, blk, k);
                return;
              }
              for (int c = 0; c < static_cast<int>(kLanes); c += kScoreKeys)
                score_tile(m0, rows, b.CreateAdd(k0, i64c(b, c)), kScoreKeys, blk, k);
            },
            "sq");
      },
      "keys");
}

void AttentionTile::score_tile(llvm::Value* m0, int rows, llvm::Value* k0, int keys, const Block& blk,
                               const BlockRows& k) {
  auto& b = b_;
  std::vector<llvm::Value*> qrow, krow;
  for (int r = 0; r < rows; ++r)
    qrow.push_back(f32_ptr(b, qs_, b.CreateMul(b.CreateAdd(m0, i64c(b, r)), i64c(b, hd_pad_))));
  for (int c = 0; c < keys; ++c) krow.push_back(row_at(k, b.CreateAdd(k0, i64c(b, c))));
  Carried acc(static_cast<size_t>(rows * keys), splat_f32(b, kLanes, 0.0f));
  acc = emit_for_carry(
      b, i64c(b, 0), i64c(b, hd_pad_), kLanes, acc,
      [&](llvm::Value* d, const Carried& cur) {
        Carried next(cur.size());
        std::vector<llvm::Value*> qv;
        for (auto* p : qrow) qv.push_back(load_f32x(b, f32_ptr(b, p, d), kLanes));
        for (int c = 0; c < keys; ++c) {
          auto* kv = load_cache_lanes(b, k.dtype, krow[c], d);
          for (int r = 0; r < rows; ++r) next[r * keys + c] = fma(b, qv[r], kv, cur[r * keys + c]);
        }
        return next;
      },
      "dot");
  auto* neg_inf = splat_f32(b, kScoreKeys, -std::numeric_limits<float>::infinity());
  for (int c = 0; c < keys; c += kScoreKeys) {
    auto* at = b.CreateAdd(k0, i64c(b, c));
    auto* key = b.CreateAdd(b.CreateVectorSplat(kScoreKeys, b.CreateAdd(blk.first, at)),
                            llvm::ConstantVector::get({b.getInt64(0), b.getInt64(1), b.getInt64(2), b.getInt64(3)}));
    for (int r = 0; r < rows; ++r) {
      auto* m = b.CreateAdd(m0, i64c(b, r));
      llvm::Value* score = hsum4(b, &acc[static_cast<size_t>(r * keys + c)]);
      if (s_.softcap != 0) score = softcap(b, score, s_.softcap);
      auto* lo = b.CreateVectorSplat(kScoreKeys, i64_at(b, lo_, m));
      auto* hi = b.CreateVectorSplat(kScoreKeys, min64(b, i64_at(b, hi_, m), b.CreateAdd(blk.first, blk.n)));
      auto* mine = b.CreateAnd(b.CreateICmpSGE(key, lo), b.CreateICmpSLT(key, hi));
      store_f32x(b, b.CreateSelect(mine, score, neg_inf),
                 f32_ptr(b, ps_, b.CreateAdd(b.CreateMul(m, i64c(b, keys_pad_)), at)));
    }
  }
}

// Per query vector: the new running max, the rescale of what came before, and the
// block's weights exp(score - max) in place of its scores.
void AttentionTile::softmax(llvm::Value* count, llvm::Value* n_pad) {
  auto& b = b_;
  emit_for(
      b, i64c(b, 0), count, 1,
      [&](llvm::Value* m) {
        auto* row = f32_ptr(b, ps_, b.CreateMul(m, i64c(b, keys_pad_)));
        Carried most = emit_for_carry(
            b, i64c(b, 0), n_pad, kLanes, {splat_f32(b, kLanes, -std::numeric_limits<float>::infinity())},
            [&](llvm::Value* i, const Carried& cur) {
              return Carried{vmax(b, cur[0], load_f32x(b, f32_ptr(b, row, i), kLanes))};
            },
            "max");
        auto* old_max = f32_at(b, max_, m);
        auto* new_max = vmax(b, old_max, hmax(b, most[0]));
        auto* corr = emit_exp(b, b.CreateFSub(old_max, new_max));
        auto* mv = splat(b, kLanes, new_max);
        Carried total = emit_for_carry(
            b, i64c(b, 0), n_pad, kLanes, {splat_f32(b, kLanes, 0.0f)},
            [&](llvm::Value* i, const Carried& cur) {
              auto* p = f32_ptr(b, row, i);
              auto* w = emit_exp(b, b.CreateFSub(load_f32x(b, p, kLanes), mv));
              store_f32x(b, w, p);
              return Carried{b.CreateFAdd(cur[0], w)};
            },
            "weight");
        b.CreateStore(new_max, f32_ptr(b, max_, m));
        b.CreateStore(fma(b, f32_at(b, sum_, m), corr, hsum(b, total[0])), f32_ptr(b, sum_, m));
        b.CreateStore(corr, f32_ptr(b, corr_, m));
      },
      "softmax");
}

// os_ = os_ * corr + P·V over the block's n keys, head_dim in chunks of 8 vectors (the
// last chunk narrower when they do not divide), each in register tiles.
void AttentionTile::accumulate(llvm::Value* count, const Block& blk, const BlockRows& v) {
  auto& b = b_;
  int64_t vectors = hd_pad_ / kLanes;
  int64_t chunk = 2 * kValueVectors;
  int64_t whole = vectors / chunk * chunk * kLanes;
  auto chunk_tiles = [&](llvm::Value* d, int width) {
    emit_tiles(
        b, count, kValueQueries,
        [&](llvm::Value* m0, int rows) {
          int step = rows == 1 ? kSingleWidth : kValueVectors;
          for (int at = 0; at < width; at += step)
            value_tile(m0, rows, b.CreateAdd(d, i64c(b, at * kLanes)), std::min(step, width - at), blk, v);
        },
        "vq");
  };
  emit_for(
      b, i64c(b, 0), i64c(b, whole), chunk * kLanes, [&](llvm::Value* d) { chunk_tiles(d, static_cast<int>(chunk)); },
      "dims");
  if (int rest = static_cast<int>(vectors % chunk)) chunk_tiles(i64c(b, whole), rest);
}

// A block for a run of a single query vector (decode, one head per call). It reads the
// cache rows directly (a scratch copy would only add a store and a load of each value):
// the keys 8 at a time as the tiles do (the same additions, so that a query vector's
// result is the same here as in a tile), the values whole, key by key, the head's
// accumulators spilled to L1. Values read in order stream from memory at full speed,
// where the output tiles would sweep a block once per 8 vectors of head_dim, a strided
// pattern the prefetchers serve badly; the keys, 8 rows at a time, are prefetched a
// block ahead while the values are read (a decode step's first touch of a layer's
// cache, which the weights streamed since have evicted from L3, took ~40% longer
// before both, and now takes less than the per-head kernel before the tiles did).
void AttentionTile::one_query(const Block& blk, const BlockRows& k, const BlockRows& v) {
  auto& b = b_;
  emit_for(
      b, i64c(b, 0), blk.n_pad, kSingleWidth,
      [&](llvm::Value* k0) { score_tile(i64c(b, 0), 1, k0, kSingleWidth, blk, k); }, "keys");
  softmax(i64c(b, 1), blk.n_pad);
  value_tile(i64c(b, 0), 1, i64c(b, 0), static_cast<int>(hd_pad_ / kLanes), blk, v, k.first ? &k : nullptr);
}

void AttentionTile::value_tile(llvm::Value* m0, int rows, llvm::Value* d, int vectors, const Block& blk,
                               const BlockRows& v, const BlockRows* ahead) {
  auto& b = b_;
  std::vector<llvm::Value*> orow, prow;
  Carried acc;
  for (int r = 0; r < rows; ++r) {
    auto* m = b.CreateAdd(m0, i64c(b, r));
    orow.push_back(f32_ptr(b, os_, b.CreateAdd(b.CreateMul(m, i64c(b, hd_pad_)), d)));
    prow.push_back(f32_ptr(b, ps_, b.CreateMul(m, i64c(b, keys_pad_))));
    auto* corr = splat(b, kLanes, f32_at(b, corr_, m));
    for (int j = 0; j < vectors; ++j)
      acc.push_back(b.CreateFMul(load_f32x(b, f32_ptr(b, orow[r], i64c(b, j * kLanes)), kLanes), corr));
  }
  acc = emit_for_carry(
      b, blk.from, blk.n, 1, acc,
      [&](llvm::Value* i, const Carried& cur) {
    // The weights first, then one vector of v at a time: in a tile of 3 x 4, the 12
    // accumulators, 3 weights and 1 vector fill the 16 ymm registers exactly.
        auto* vrow = row_at(v, i);
        if (ahead) prefetch_next_block(*ahead, i);
        std::vector<llvm::Value*> w;
        for (int r = 0; r < rows; ++r) w.push_back(splat(b, kLanes, f32_at(b, prow[r], i)));
        Carried next(cur.size());
        for (int j = 0; j < vectors; ++j) {
          auto* vv = load_cache_lanes(b, v.dtype, vrow, b.CreateAdd(d, i64c(b, j * kLanes)));
          for (int r = 0; r < rows; ++r) next[r * vectors + j] = fma(b, w[r], vv, cur[r * vectors + j]);
        }
        return next;
      },
      "key");
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < vectors; ++j) store_f32x(b, acc[r * vectors + j], f32_ptr(b, orow[r], i64c(b, j * kLanes)));
}

// Asks for row i of the next block into L2 (prefetcht1). A ring's slot may lie past the
// sequence's ring near its end or the last block: a prefetch does not fault, so the
// address is plain, not inbounds. A paged key stops at the run's last, which is in the table.
void AttentionTile::prefetch_next_block(const BlockRows& rows, llvm::Value* i) {
  auto& b = b_;
  llvm::Value* slot = b.CreateAdd(rows.first, b.CreateAdd(i, i64c(b, s_.block())));
  if (rows.pages)
    slot = kv_page_row(b, rows.pages, min64(b, slot, rows.end));
  else
    slot = b.CreateSelect(b.CreateICmpSGE(slot, slots_), b.CreateSub(slot, slots_), slot);
  auto* row = b.CreateGEP(b.getInt8Ty(), rows.base, b.CreateMul(slot, i64c(b, rows.row_bytes)));
  for (int64_t at = 0; at < s_.head_bytes(rows.dtype); at += 64)
    b.CreateIntrinsic(llvm::Intrinsic::prefetch, {b.getPtrTy()},
                      {b.CreateGEP(b.getInt8Ty(), row, i64c(b, at)), b.getInt32(0), b.getInt32(2), b.getInt32(1)});
}

void AttentionTile::tile_block(llvm::Value* count, const Block& blk, const BlockRows& k, const BlockRows& v) {
  auto& b = b_;
  // Whole 32s of keys, the rows past the block repeating its last (finite, weighted 0).
  auto* n_tile = b.CreateAnd(b.CreateAdd(blk.n, i64c(b, 31)), i64c(b, -32));
  convert(k, ks_, n_tile);
  convert(v, vs_, n_tile);
  bf16_->scores(ks_, ps_, n_tile);
  mask_scores(count, blk);
  softmax(count, blk.n_pad);
  rescale(count);
  bf16_->accumulate(ps_, vs_, os_, count, blk.n, n_tile);
}

void AttentionTile::mask_scores(llvm::Value* count, const Block& blk) {
  auto& b = b_;
  std::vector<llvm::Constant*> lanes;
  for (unsigned i = 0; i < kLanes; ++i) lanes.push_back(b.getInt64(i));
  auto* lane = llvm::ConstantVector::get(lanes);
  auto* neg_inf = splat_f32(b, kLanes, -std::numeric_limits<float>::infinity());
  emit_for(
      b, i64c(b, 0), count, 1,
      [&](llvm::Value* m) {
        auto* lo = b.CreateVectorSplat(kLanes, i64_at(b, lo_, m));
        auto* hi = b.CreateVectorSplat(kLanes, min64(b, i64_at(b, hi_, m), b.CreateAdd(blk.first, blk.n)));
        emit_for(
            b, i64c(b, 0), blk.n_pad, kLanes,
            [&](llvm::Value* at) {
              auto* p = f32_ptr(b, ps_, b.CreateAdd(b.CreateMul(m, i64c(b, keys_pad_)), at));
              llvm::Value* score = load_f32x(b, p, kLanes);
              if (s_.softcap != 0) score = softcap(b, score, s_.softcap);
              auto* key = b.CreateAdd(b.CreateVectorSplat(kLanes, b.CreateAdd(blk.first, at)), lane);
              auto* mine = b.CreateAnd(b.CreateICmpSGE(key, lo), b.CreateICmpSLT(key, hi));
              store_f32x(b, b.CreateSelect(mine, score, neg_inf), p);
            },
            "mask");
      },
      "mrow");
}

void AttentionTile::rescale(llvm::Value* count) {
  auto& b = b_;
  emit_for(
      b, i64c(b, 0), count, 1,
      [&](llvm::Value* m) {
        auto* corr = splat(b, kLanes, f32_at(b, corr_, m));
        auto* row = f32_ptr(b, os_, b.CreateMul(m, i64c(b, hd_pad_)));
        for (int64_t d = 0; d < hd_pad_; d += kLanes)
          store_f32x(b, b.CreateFMul(load_f32x(b, f32_ptr(b, row, i64c(b, d)), kLanes), corr),
                     f32_ptr(b, row, i64c(b, d)));
      },
      "rescale");
}

// Each query vector's output: its accumulator over its sum of weights.
void AttentionTile::finish(const QueryRun& run, llvm::Value* count, const StoreHead& store) {
  auto& b = b_;
  auto hd = static_cast<unsigned>(s_.head_dim);
  emit_for(
      b, i64c(b, 0), count, 1,
      [&](llvm::Value* m) {
        auto* acc = b.CreateAlignedLoad(f32x(b, hd), f32_ptr(b, os_, b.CreateMul(m, i64c(b, hd_pad_))), llvm::Align(4));
        auto* out = b.CreateFMul(acc, splat(b, hd, b.CreateFDiv(f32c(b, 1.0f), f32_at(b, sum_, m))));
        store(query_row(run, m), query_head(run, m), out);
      },
      "finish");
}

}  // namespace lmc::codegen
