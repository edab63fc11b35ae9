// attention(q[R, Hq*hd], kc[C, Hk*hd], vc[C, Hk*hd], positions[R], seq[R]) -> o[R, Hq*hd]:
// causal attention over the KV cache (GQA: query head h reads kv head h / (Hq/Hk)).
// Query row r sits at p = positions[r] in sequence seq[r] and attends to that
// sequence's key positions [lo, e], lo = p - window + 1 for a sliding window (else 0), e = p
// or, when the op has key_ends, key_ends[r] (Gemma 3's image tokens see each other);
// with causal = 0 (a vision encoder's patches) to [0, e], e the last position of the
// step's rows of that sequence, so that every row sees all the others.
// A cache of the symbol C's rows is paged: key j lives in the row the KV page table
// names (codegen/llvm/kv_pages.h), the window page table's with a window, whose pages
// before the window are given back: a block's keys before the run's first (masked) read
// its row. A window's cache is a ring: key j in slot j % C
// of the sequence's ring, the rings of the sequence slots back to back (as kv_write writes both). score = scale * q·k,
// optionally softcapped to c * tanh(score / c). The caches are read in their storage dtype (f32, f16 or q8_0 blocks, K
// and V each its own: codegen/llvm/cache_rows.h).
//
// Work items are (row, query head) pairs, r * Hq + h. The query vectors that read the
// same keys go through them together, FlashAttention style (codegen/llvm/attention_tile.h):
// rows of one sequence at consecutive positions times the query heads of one kv head,
// so each block of K and V is converted once for all of them.
//  - Prefill (T >= 2 * kMinRowTiles): a tile is up to max_tile_rows() consecutive rows
//    times a kv head's query heads. A call computes the tiles whose first item lies in
//    its range [begin, end), all of their items, so how the runtime cuts the items does
//    not shrink the tiles, and disjoint ranges still write disjoint outputs. Tiles get
//    fewer rows when T is small, so that there are kMinRowTiles of them per kv head for
//    the threads to share.
//  - Decode (fewer rows): a tile is one row's items of one kv head inside [begin, end),
//    so that the heads of a single row can still be split between threads.
// A tile's rows split into runs where the sequence or the consecutive positions break
// (rows of several sequences share a step when decoding in a batch).
// As the anchor of a fusion, each head's output passes through the region's epilogue
// (a scale, a residual) as it is stored.
#include <functional>
#include <optional>
#include <utility>

#include <llvm/IR/Function.h>
#include <llvm/IR/Intrinsics.h>

#include "codegen/describe_op.h"
#include "codegen/llvm/attention_tile.h"
#include "codegen/llvm/emitter.h"
#include "codegen/llvm/kv_pages.h"
#include "codegen/llvm/linear/bf16_tiles.h"
#include "codegen/llvm/region/region_io.h"
#include "codegen/prefill_choice.h"

namespace lmc::codegen {

namespace {

// Row tiles per kv head that a step of T rows is cut into at least.
constexpr int64_t kMinRowTiles = 8;

llvm::Value* clamp64(Builder& b, llvm::Value* x, int64_t lo, int64_t hi) {
  auto* low = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, x, i64c(b, lo));
  return b.CreateBinaryIntrinsic(llvm::Intrinsic::smin, low, i64c(b, hi));
}

// What the kernel's loops read: the operands and the tiling of this step.
struct Step {
  llvm::Value* positions;
  llvm::Value* seq;
  llvm::Value* rows;       // T
  llvm::Value* tile_rows;  // rows per tile: 1 when decoding
  llvm::Value* slots;      // C
};

// Calls body(first, count) for each run of rows [first, end) of one sequence at
// consecutive positions.
void for_each_run(Builder& b, const Step& st, llvm::Value* first, llvm::Value* end,
                  const std::function<void(llvm::Value* run_first, llvm::Value* count)>& body) {
  emit_for_carry(
      b, first, end, 1, {first},
      [&](llvm::Value* r, const Carried& cur) {
        auto* next = b.CreateAdd(r, i64c(b, 1));
        auto* at_end = b.CreateICmpEQ(next, end);
        auto* peek = b.CreateSelect(at_end, r, next);  // stays inside the arrays
        auto* other_seq = b.CreateICmpNE(i32_at(b, st.seq, peek), i32_at(b, st.seq, r));
        auto* gap = b.CreateICmpNE(i32_at(b, st.positions, peek), b.CreateAdd(i32_at(b, st.positions, r), i64c(b, 1)));
        auto* breaks = b.CreateOr(at_end, b.CreateOr(other_seq, gap));
        emit_if(b, breaks, [&] { body(cur[0], b.CreateSub(next, cur[0])); });
        return Carried{b.CreateSelect(breaks, next, cur[0])};
      },
      "row");
}

// One past the last position the step's rows of `sequence` hold: the keys a row of it
// reads when the attention is bidirectional.
llvm::Value* sequence_key_end(Builder& b, const Step& st, llvm::Value* sequence) {
  Carried end = emit_for_carry(
      b, i64c(b, 0), st.rows, 1, {i64c(b, 0)},
      [&](llvm::Value* r, const Carried& cur) {
        auto* after = b.CreateAdd(i32_at(b, st.positions, r), i64c(b, 1));
        auto* later = b.CreateBinaryIntrinsic(llvm::Intrinsic::smax, cur[0], after);
        return Carried{b.CreateSelect(b.CreateICmpEQ(i32_at(b, st.seq, r), sequence), later, cur[0])};
      },
      "key_end");
  return end[0];
}

// The query heads [0, group) of tile (rows from `first`, kv head g) that this call
// computes, as [from, to): with one row per tile, the items of [begin, end); with
// more, all of them when the tile's first item is in [begin, end), else none.
std::pair<llvm::Value*, llvm::Value*> owned_heads(Builder& b, const AttentionShape& s, const KernelParams& p,
                                                  const Step& st, llvm::Value* first_item) {
  auto* decode = b.CreateICmpEQ(st.tile_rows, i64c(b, 1));
  auto* from = clamp64(b, b.CreateSub(p.begin, first_item), 0, s.group());
  auto* to = clamp64(b, b.CreateSub(p.end, first_item), 0, s.group());
  auto* owned = b.CreateAnd(b.CreateICmpSLE(p.begin, first_item), b.CreateICmpSLT(first_item, p.end));
  auto* all = b.CreateSelect(owned, i64c(b, s.group()), i64c(b, 0));
  return {b.CreateSelect(decode, from, i64c(b, 0)), b.CreateSelect(decode, to, all)};
}

void emit(llvm::Function& fn, const KernelDesc& d) {
  FusedRegion region = fused_region(d);
  const ir::Op& a = *region.anchor;
  AttentionShape s = attention_shape(describe(a));
  KernelParams p = kernel_params(fn);
  Builder b = entry_builder(fn);
  RegionIO io(b, p, region);
  llvm::Value* kc = io.arg(a.operand(1));
  llvm::Value* vc = io.arg(a.operand(2));
  llvm::Value* o = io.first_output();
  Step st{io.arg(a.operand(3)), io.arg(a.operand(4)), dim_value(b, p, s.rows), nullptr, dim_value(b, p, s.slots)};
  st.tile_rows = clamp64(b, b.CreateSDiv(st.rows, i64c(b, kMinRowTiles)), 1, s.max_tile_rows());
  llvm::Value* key_ends = s.key_ends ? io.arg(a.operand(5)) : nullptr;
  std::optional<KvPages> pages;
  if (s.slots.sym) pages.emplace(b, p, d, s.window > 0);
  AttentionTile tile(b, s, io.arg(a.operand(0)), st.slots,
                     attention_bf16_tiles(ir::prefill_kernel(a), target_features_of(fn)));
  tile.take_bf16_tiles_when(b.CreateICmpSGE(st.rows, i64c(b, kBf16TileMinRows)));
  auto hd = static_cast<unsigned>(s.head_dim);
  StoreHead store = [&](llvm::Value* row, llvm::Value* head, llvm::Value* out) {
    auto* col = b.CreateMul(head, i64c(b, s.head_dim));
    if (!region.plain_output) {
      io.store_output(row, col, out, hd, nullptr);
      return;
    }
    auto* at = b.CreateAdd(b.CreateMul(row, i64c(b, s.heads * s.head_dim)), col);
    b.CreateAlignedStore(out, f32_ptr(b, o, at), llvm::Align(4));
  };

  // Tile t = (row tile t / Hk, kv head t % Hk) starts at item row * Hq + kv head * group.
  auto* tile_items = b.CreateMul(st.tile_rows, i64c(b, s.heads));
  auto* tiles_begin = b.CreateMul(b.CreateSDiv(p.begin, tile_items), i64c(b, s.kv_heads));
  auto* tiles_end = b.CreateMul(b.CreateAdd(b.CreateSDiv(b.CreateSub(p.end, i64c(b, 1)), tile_items), i64c(b, 1)),
                                i64c(b, s.kv_heads));
  emit_for(
      b, tiles_begin, tiles_end, 1,
      [&](llvm::Value* t) {
        auto* row = b.CreateMul(b.CreateSDiv(t, i64c(b, s.kv_heads)), st.tile_rows);
        auto* kv_head = b.CreateSRem(t, i64c(b, s.kv_heads));
        auto* group_head = b.CreateMul(kv_head, i64c(b, s.group()));
    // Named, not a structured binding: clang before 16 cannot capture those in the lambdas below.
        auto owned = owned_heads(b, s, p, st, b.CreateAdd(b.CreateMul(row, i64c(b, s.heads)), group_head));
        llvm::Value* from = owned.first;
        llvm::Value* to = owned.second;
        auto* rows_end = min64(b, st.rows, b.CreateAdd(row, st.tile_rows));
        emit_if(b, b.CreateICmpSLT(from, to), [&] {
          for_each_run(b, st, row, rows_end, [&](llvm::Value* first, llvm::Value* count) {
        // The kv head's part of row 0 of the caches' buffers (paged), or of slot 0 of the
        // run's sequence's rings.
            auto* sequence = i32_at(b, st.seq, first);
            auto* seq_slot = pages ? i64c(b, 0) : b.CreateMul(sequence, st.slots);
            auto head_start = [&](llvm::Value* cache, ir::DType t) {
              auto* row_start = b.CreateMul(seq_slot, i64c(b, s.row_bytes(t)));
              return byte_ptr(b, cache, b.CreateAdd(row_start, b.CreateMul(kv_head, i64c(b, s.head_bytes(t)))));
            };
            QueryRun run{first,
                         count,
                         i32_at(b, st.positions, first),
                         b.CreateAdd(group_head, from),
                         b.CreateSub(to, from),
                         head_start(kc, s.k_dtype),
                         head_start(vc, s.v_dtype),
                         pages ? pages->of_sequence(sequence) : nullptr,
                         s.causal ? nullptr : sequence_key_end(b, st, sequence),
                         key_ends};
            tile.attend(run, store);
          });
        });
      },
      "tile");
  b.CreateRetVoid();
}

}  // namespace

void emit_attention_kernel(llvm::Function& fn, const KernelDesc& d) { emit(fn, d); }

}  // namespace lmc::codegen
