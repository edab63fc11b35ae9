// Prefill path of linear (many rows): compute-bound, so it is blocked like a GEMM.
// For each k block (<= kMaxKc) and each panel of 16 output columns, the weights are
// dequantized and transposed once into a k-major scratch panel (wb[k][16]); a
// register tile of up to 6 rows x 16 columns then accumulates broadcast(x[t,k]) *
// wb[k] with FMAs, reusing each weight value across the rows. With a fused input
// activation the activated rows are packed per block of kActRows rows so act() is
// evaluated once per input value.
#include <llvm/IR/Function.h>

#include "codegen/linear_common.h"

namespace lmc::codegen {

namespace {

constexpr int64_t kMaxKc = 512;   // k per block at most: the weight panel (32 KiB) stays in L1
constexpr int kNr = 16;           // columns per register tile (two 8-float vectors)
constexpr int kMr = 6;            // rows per register tile: 12 accumulators + 3 temporaries
constexpr int64_t kActRows = 96;  // rows per activated input panel (<= 192 KiB of stack)

// K split into equal blocks of at most kMaxKc (a multiple of 32): the output tile
// is reloaded once per block, so fewer, even blocks beat a short last one.
int64_t block_k(const LinearShape& s) {
  int64_t blocks = (s.K + kMaxKc - 1) / kMaxKc;
  int64_t kc = (s.K + blocks - 1) / blocks;
  return (kc + 31) / 32 * 32;
}

struct Panel {
  int64_t kc;       // k per block
  llvm::Value* wb;  // f32 [kc * kNr] weights of the current panel, k-major
  llvm::Value* xa;  // f32 [kActRows * kc] activated input rows, or nullptr
};

llvm::Value* min64(Builder& b, llvm::Value* x, llvm::Value* y) {
  return b.CreateSelect(b.CreateICmpSLT(x, y), x, y);
}

// 8 consecutive weights w[row, k .. k+8) as floats.
llvm::Value* load_weights8(Builder& b, const LinearShape& s, llvm::Value* wrow, llvm::Value* k) {
  if (s.wtype == ir::DType::f32) return load_f32x(b, f32_ptr(b, wrow, k), 8);
  auto* block = byte_ptr(b, wrow, b.CreateMul(b.CreateUDiv(k, i64c(b, 32)), i64c(b, 34)));
  auto* d = load_f16_as_f32(b, block);
  auto* qp = byte_ptr(b, block, b.CreateAdd(i64c(b, 2), b.CreateURem(k, i64c(b, 32))));
  auto* q = b.CreateAlignedLoad(llvm::FixedVectorType::get(b.getInt8Ty(), 8), qp, llvm::Align(1));
  auto* f = b.CreateSIToFP(b.CreateSExt(q, llvm::FixedVectorType::get(b.getInt32Ty(), 8)), f32x(b, 8));
  return b.CreateFMul(f, splat(b, 8, d));
}

// out[k][j] = in[j][k] for 8 vectors of 8 floats (unpack, shuffle, lane swap).
std::vector<llvm::Value*> transpose8x8(Builder& b, const std::vector<llvm::Value*>& in) {
  std::vector<llvm::Value*> t(8), u(8), out(8);
  for (int i = 0; i < 8; i += 2) {
    t[i] = b.CreateShuffleVector(in[i], in[i + 1], {0, 8, 1, 9, 4, 12, 5, 13});
    t[i + 1] = b.CreateShuffleVector(in[i], in[i + 1], {2, 10, 3, 11, 6, 14, 7, 15});
  }
  for (int h = 0; h < 8; h += 4) {
    u[h + 0] = b.CreateShuffleVector(t[h], t[h + 2], {0, 1, 8, 9, 4, 5, 12, 13});
    u[h + 1] = b.CreateShuffleVector(t[h], t[h + 2], {2, 3, 10, 11, 6, 7, 14, 15});
    u[h + 2] = b.CreateShuffleVector(t[h + 1], t[h + 3], {0, 1, 8, 9, 4, 5, 12, 13});
    u[h + 3] = b.CreateShuffleVector(t[h + 1], t[h + 3], {2, 3, 10, 11, 6, 7, 14, 15});
  }
  for (int c = 0; c < 4; ++c) {
    out[c] = b.CreateShuffleVector(u[c], u[c + 4], {0, 1, 2, 3, 8, 9, 10, 11});
    out[c + 4] = b.CreateShuffleVector(u[c], u[c + 4], {4, 5, 6, 7, 12, 13, 14, 15});
  }
  return out;
}

// wb[k][j] = w[n0 + j, k0 + k] for k < kc, j < 16. Columns past `end` repeat the
// last valid one: they are computed but never stored.
void pack_weights(Builder& b, const LinearShape& s, const LinearOperands& o, const Panel& p,
                  llvm::Value* n0, llvm::Value* k0, llvm::Value* kc) {
  std::vector<llvm::Value*> wrows;
  auto* last = b.CreateSub(o.end, i64c(b, 1));
  for (int j = 0; j < kNr; ++j)
    wrows.push_back(weight_row(b, s, o, min64(b, b.CreateAdd(n0, i64c(b, j)), last)));
  auto* kc8 = b.CreateAnd(kc, i64c(b, ~int64_t{7}));
  emit_for(b, i64c(b, 0), kc8, 8, [&](llvm::Value* k) {
    for (int jg = 0; jg < kNr; jg += 8) {
      std::vector<llvm::Value*> cols;
      for (int j = 0; j < 8; ++j) cols.push_back(load_weights8(b, s, wrows[jg + j], b.CreateAdd(k0, k)));
      auto rows = transpose8x8(b, cols);
      for (int i = 0; i < 8; ++i) {
        auto* at = b.CreateAdd(b.CreateMul(b.CreateAdd(k, i64c(b, i)), i64c(b, kNr)), i64c(b, jg));
        store_f32x(b, rows[i], f32_ptr(b, p.wb, at));
      }
    }
  }, "pk");
  if (s.wtype == ir::DType::f32 && s.K % 8) {  // only the last block of an f32 K can be ragged
    emit_for(b, kc8, kc, 1, [&](llvm::Value* k) {
      for (int j = 0; j < kNr; ++j) {
        auto* v = b.CreateLoad(b.getFloatTy(), f32_ptr(b, wrows[j], b.CreateAdd(k0, k)));
        b.CreateStore(v, f32_ptr(b, p.wb, b.CreateAdd(b.CreateMul(k, i64c(b, kNr)), i64c(b, j))));
      }
    }, "pkt");
  }
}

// xa[r][k] = act(gate) * up for rows t0 .. t0+tb, columns k0 .. k0+kc.
void pack_activated(Builder& b, const LinearShape& s, const LinearOperands& o, const Panel& p,
                    llvm::Value* t0, llvm::Value* tb, llvm::Value* k0, llvm::Value* kc) {
  auto* kc8 = b.CreateAnd(kc, i64c(b, ~int64_t{7}));
  emit_for(b, i64c(b, 0), tb, 1, [&](llvm::Value* r) {
    auto* src = f32_ptr(b, o.x, b.CreateMul(b.CreateAdd(t0, r), i64c(b, s.x_stride())));
    auto* dst = f32_ptr(b, p.xa, b.CreateMul(r, i64c(b, p.kc)));
    emit_for(b, i64c(b, 0), kc8, 8, [&](llvm::Value* k) {
      store_f32x(b, load_input(b, s, src, b.CreateAdd(k0, k), 8), f32_ptr(b, dst, k));
    }, "ak");
    auto* rest = b.CreateSub(kc, kc8);
    emit_if(b, b.CreateICmpSGT(rest, i64c(b, 0)), [&] {
      auto* v = load_input_tail(b, s, src, b.CreateAdd(k0, kc8), 8, rest);
      masked_store_f32x(b, v, f32_ptr(b, dst, kc8), rest);
    });
  }, "ar");
}

struct Tile {
  llvm::Value* a;         // input value (t0 + t, k0) ...
  llvm::Value* a_stride;  // ... and the distance between input rows, in floats
  llvm::Value* yrow0;     // &y[t0 + t, n0]
  llvm::Value* resrow0;   // &res[t0 + t, n0], or nullptr
  llvm::Value* bias0;     // &bias[n0], or nullptr
  llvm::Value* first;     // i1: k0 == 0, the tile starts from bias + residual
  llvm::Value* cnt[2];    // valid lanes of the two column vectors
  llvm::Value* kc;
};

// The accumulator a tile starts from: y so far, or on the first k block the
// bias + residual (0 without them), so y is never read before it is written.
llvm::Value* tile_start(Builder& b, const LinearShape& s, const Tile& tile, int r, int v) {
  auto* yp = f32_ptr(b, tile.yrow0, i64c(b, r * s.N + 8 * v));
  auto* from_y = masked_load_f32x(b, yp, 8, tile.cnt[v]);
  llvm::Value* init = splat_f32(b, 8, 0.0f);
  if (tile.bias0) init = masked_load_f32x(b, f32_ptr(b, tile.bias0, i64c(b, 8 * v)), 8, tile.cnt[v]);
  if (tile.resrow0) {
    auto* rp = f32_ptr(b, tile.resrow0, i64c(b, r * s.N + 8 * v));
    init = b.CreateFAdd(init, masked_load_f32x(b, rp, 8, tile.cnt[v]));
  }
  return b.CreateSelect(tile.first, init, from_y);
}

// y[R rows, 16 cols] += a[R rows, kc] · wb[kc, 16], accumulators in registers.
void micro_tile(Builder& b, const LinearShape& s, const Panel& p, const Tile& tile, int R) {
  std::vector<llvm::Value*> yp;
  Carried acc;
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < 2; ++v) {
      yp.push_back(f32_ptr(b, tile.yrow0, i64c(b, r * s.N + 8 * v)));
      acc.push_back(tile_start(b, s, tile, r, v));
    }
  }
  std::vector<llvm::Value*> arow;
  for (int r = 0; r < R; ++r) arow.push_back(f32_ptr(b, tile.a, b.CreateMul(i64c(b, r), tile.a_stride)));
  acc = emit_for_carry(b, i64c(b, 0), tile.kc, 1, acc, [&](llvm::Value* k, const Carried& cur) {
    auto* wk = f32_ptr(b, p.wb, b.CreateMul(k, i64c(b, kNr)));
    llvm::Value* w[2] = {load_f32x(b, wk, 8), load_f32x(b, f32_ptr(b, wk, i64c(b, 8)), 8)};
    Carried next;
    for (int r = 0; r < R; ++r) {
      auto* xv = splat(b, 8, b.CreateLoad(b.getFloatTy(), f32_ptr(b, arow[r], k)));
      for (int v = 0; v < 2; ++v) next.push_back(fma(b, xv, w[v], cur[2 * r + v]));
    }
    return next;
  }, "mk");
  for (size_t i = 0; i < acc.size(); ++i) masked_store_f32x(b, acc[i], yp[i], tile.cnt[i % 2]);
}

// Rows [0, tb) of the block in tiles of kMr, then the 1..5 left over through a switch.
void row_tiles(Builder& b, const LinearShape& s, const Panel& p, Tile base, llvm::Value* tb) {
  auto at_row = [&](llvm::Value* t) {
    Tile tile = base;
    tile.a = f32_ptr(b, base.a, b.CreateMul(t, base.a_stride));
    tile.yrow0 = f32_ptr(b, base.yrow0, b.CreateMul(t, i64c(b, s.N)));
    if (base.resrow0) tile.resrow0 = f32_ptr(b, base.resrow0, b.CreateMul(t, i64c(b, s.N)));
    return tile;
  };
  auto* tmain = round_down(b, i64c(b, 0), tb, kMr);
  emit_for(b, i64c(b, 0), tmain, kMr, [&](llvm::Value* t) { micro_tile(b, s, p, at_row(t), kMr); }, "t");
  llvm::Function* fn = b.GetInsertBlock()->getParent();
  auto* done = llvm::BasicBlock::Create(fn->getContext(), "rows.done", fn);
  Tile rest = at_row(tmain);
  auto* sw = b.CreateSwitch(b.CreateSub(tb, tmain), done, kMr - 1);
  for (int R = 1; R < kMr; ++R) {
    auto* bb = llvm::BasicBlock::Create(fn->getContext(), "rows" + std::to_string(R), fn);
    sw->addCase(b.getInt64(R), bb);
    b.SetInsertPoint(bb);
    micro_tile(b, s, p, rest, R);
    b.CreateBr(done);
  }
  b.SetInsertPoint(done);
}

// All output columns of rows [t0, t0+tb).
void row_block(Builder& b, const LinearShape& s, const LinearOperands& o, const Panel& p,
               llvm::Value* t0, llvm::Value* tb) {
  emit_for(b, i64c(b, 0), i64c(b, s.K), p.kc, [&](llvm::Value* k0) {
    auto* kc = min64(b, i64c(b, p.kc), b.CreateSub(i64c(b, s.K), k0));
    Tile base{};
    base.first = b.CreateICmpEQ(k0, i64c(b, 0));
    if (p.xa) {
      pack_activated(b, s, o, p, t0, tb, k0, kc);
      base.a = p.xa;
      base.a_stride = i64c(b, p.kc);
    } else {
      base.a = f32_ptr(b, o.x, b.CreateAdd(b.CreateMul(t0, i64c(b, s.K)), k0));
      base.a_stride = i64c(b, s.K);
    }
    base.kc = kc;
    emit_for(b, o.begin, o.end, kNr, [&](llvm::Value* n0) {
      auto* nc = min64(b, i64c(b, kNr), b.CreateSub(o.end, n0));
      pack_weights(b, s, o, p, n0, k0, kc);
      Tile tile = base;
      auto* at = b.CreateAdd(b.CreateMul(t0, i64c(b, s.N)), n0);
      tile.yrow0 = f32_ptr(b, o.y, at);
      if (o.res) tile.resrow0 = f32_ptr(b, o.res, at);
      if (o.bias) tile.bias0 = f32_ptr(b, o.bias, n0);
      tile.cnt[0] = min64(b, nc, i64c(b, 8));
      auto* hi = b.CreateSub(nc, i64c(b, 8));
      tile.cnt[1] = b.CreateSelect(b.CreateICmpSGT(hi, i64c(b, 0)), hi, i64c(b, 0));
      row_tiles(b, s, p, tile, tb);
    }, "n0");
  }, "k0");
}

}  // namespace

void emit_linear_prefill(Builder& b, const LinearShape& s, const LinearOperands& o) {
  Panel p{};
  p.kc = block_k(s);
  p.wb = stack_array(b, b.getFloatTy(), p.kc * kNr);
  if (s.act.empty()) {
    row_block(b, s, o, p, i64c(b, 0), o.T);
    return;
  }
  p.xa = stack_array(b, b.getFloatTy(), kActRows * p.kc);
  emit_for(b, i64c(b, 0), o.T, kActRows, [&](llvm::Value* t0) {
    row_block(b, s, o, p, t0, min64(b, i64c(b, kActRows), b.CreateSub(o.T, t0)));
  }, "tb");
}

}  // namespace lmc::codegen
