// The generated attention kernel against reference_attention: GQA (4 query heads per
// kv head) and plain multi-head, head sizes with odd vector splits, T=1 decode and
// T>1 prefill, contexts longer than one softmax block, sliding windows smaller than
// the context on a ring of C = window + T_max slots with positions far past C,
// softcap on and off, 1 or 2 threads, and rows of several sequences in one step (a
// prefill chunk beside decode rows, each row reading its own sequence's cache). The
// cache is filled the way kv_write leaves it: key j in slot j % C of its sequence's
// cache, later keys overwriting earlier ones; caches stored as f32, f16 or q8_0 (keys and
// values each its own dtype), which the reference reads converted back to floats.
// From T=16 rows on the kernel attends tiles of several rows at once (the PrefillTiles
// tests): row counts that do not divide into tiles, groups of 1, 3, 4 and 8 query heads
// (tiles of up to 48, 16, 12 and 6 rows), each row of a tile masked to its own keys, tiles broken
// where the sequence changes or positions jump, and ranges cutting through tiles. A call
// holding a single query head of a row (decode steps run one work item per call, plain
// multi-head) reads the cache rows directly, whole; one holding more converts them into
// scratch first: both with every cache dtype. Caches of the symbol C's rows are paged
// (codegen/kernel_abi.h): in the fixed layout, and through a scrambled page table.
// Tolerance: 1e-5 relative + 1e-6 absolute (exp/tanh are ~1e-7 polynomials).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>
#include <utility>
#include <vector>

#include "codegen/kernel_compiler.h"
#include "support/error.h"
#include "tests/codegen/attention_case.h"
#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

// Runs the kernel on 1 thread, on 2, and (for a decode step of a few rows) one work item
// per call, as the runtime's parallel_for cuts a row's heads.
void check_rows(const Case& c, const LoadedKernel& k, Rows rows, uint32_t seed) {
  Inputs in = inputs(c, rows, seed);
  auto want = reference_attention(in.ref);
  int64_t syms[ir::kNumSyms] = {rows.count(), 1, c.slots};
  for (int threads : {1, 2, 0}) {
    if (threads == 0 && rows.count() > 8) continue;
    std::vector<float> o(in.q.size(), NAN);
    std::vector<void*> args = in.args(rows, o);
    if (threads) {
      run_kernel(k, args, syms, threads);
    } else {
      for (int64_t item = 0; item < k.info.items(syms); ++item) k.fn(args.data(), syms, item, item + 1);
    }
    EXPECT_EQ(mismatches(o, want, 1e-5, 1e-6), "")
        << "Hq=" << c.heads << " Hk=" << c.kv_heads << " hd=" << c.head_dim << " window=" << c.window
        << " C=" << c.slots << (c.symbolic ? " (symbol)" : "") << " softcap=" << c.softcap << " T=" << rows.count()
        << " k " << ir::dtype_name(c.k) << " v " << ir::dtype_name(c.v) << " first position " << rows.positions[0]
        << " sequences=" << rows.sequences()
        << (threads ? " threads=" + std::to_string(threads) : std::string(" one item per call"));
  }
}

void check(const Case& c, const LoadedKernel& k, int64_t rows, int32_t pos, uint32_t seed) {
  check_rows(c, k, run_of(rows, pos), seed);
}

TEST(AttentionKernel, FullContextGqaDecodeAndPrefill) {
  uint32_t seed = 1;
  for (double softcap : {0.0, 5.0}) {
    for (Case c : {Case{8, 2, 64, 0, 300, softcap}, Case{4, 1, 256, 0, 80, softcap}, Case{3, 3, 72, 0, 200, softcap},
                   Case{4, 4, 6, 0, 50, softcap}}) {
      c.symbolic = softcap > 0;  // static C without softcap, the symbol C with it
      LoadedKernel k = load_kernel(desc(c));
      EXPECT_EQ(k.info.items(std::array<int64_t, 2>{5, 1}.data()), 5 * c.heads);
      check(c, k, 1, 0, seed++);                                            // first token
      check(c, k, 1, static_cast<int32_t>(c.slots - 1), seed++);            // decode, full cache
      check(c, k, 7, 0, seed++);                                            // prefill from empty
      check(c, k, 5, static_cast<int32_t>(c.slots - 5), seed++);            // prefill up to a full cache
    }
  }
}

struct HeadShape {
  int64_t heads, kv_heads, head_dim;
};

// Sliding-window cases: softcap off and on, a short and a long window, each shape on a
// ring of window + max_rows slots.
std::vector<Case> window_cases(std::initializer_list<HeadShape> shapes, int64_t max_rows, double softcap) {
  std::vector<Case> cases;
  for (double cap : {0.0, softcap})
    for (int64_t window : {8, 100})
      for (const HeadShape& h : shapes)
        cases.push_back({h.heads, h.kv_heads, h.head_dim, window, window + max_rows, cap});
  return cases;
}

TEST(AttentionKernel, SlidingWindowOnARing) {
  uint32_t seed = 100;
  constexpr int64_t kMaxRows = 6;
  for (const Case& c : window_cases({{8, 2, 64}, {4, 1, 40}}, kMaxRows, 30.0)) {
    LoadedKernel k = load_kernel(desc(c));
    for (int32_t pos : {0, 3, static_cast<int32_t>(c.window) + 1, 250, 1000}) {
      check(c, k, 1, pos, seed++);
      check(c, k, kMaxRows, pos, seed++);
    }
  }
}

TEST(AttentionKernel, PrefillTilesOfSeveralRows) {
  uint32_t seed = 400;
  for (Case c : {Case{4, 1, 256, 0, 400, 0.0}, Case{9, 3, 40, 0, 400, 5.0, true}, Case{3, 3, 72, 0, 400, 0.0},
                 Case{8, 1, 32, 0, 400, 0.0}}) {
    LoadedKernel k = load_kernel(desc(c));
    for (int64_t rows : {16, 23, 48, 137})
      for (int32_t pos : {0, 200}) check(c, k, rows, pos, seed++);
  }
}

TEST(AttentionKernel, PrefillTilesOnASlidingWindow) {
  uint32_t seed = 500;
  constexpr int64_t kMaxRows = 70;
  for (const Case& c : window_cases({{4, 1, 64}, {8, 2, 32}}, kMaxRows, 30.0)) {
    LoadedKernel k = load_kernel(desc(c));
    for (int32_t pos : {0, 5, 300})
      for (int64_t rows : {int64_t{16}, int64_t{41}, kMaxRows}) check(c, k, rows, pos, seed++);
  }
}

TEST(AttentionKernel, PrefillTilesBreakWhereSequencesChangeOrPositionsJump) {
  uint32_t seed = 600;
  // 40 rows, in tiles of 5: a chunk of sequence 1 with a gap in its positions inside the
  // tile of rows 20-24, then in the tile of rows 30-34 its last two rows, decode rows of
  // sequences 0 and 2 and the first row of a chunk of sequence 3.
  Rows rows;
  auto add = [&](int32_t from, int32_t to, int32_t s) {
    for (int32_t p = from; p < to; ++p) {
      rows.positions.push_back(p);
      rows.seqs.push_back(s);
    }
  };
  add(3, 25, 1);
  add(30, 40, 1);
  add(40, 41, 0);  // positions go on from sequence 1's: only the sequence breaks the tile
  add(41, 42, 2);
  add(42, 48, 3);
  for (Case c : {Case{8, 2, 64, 0, 600, 0.0, true}, Case{4, 1, 40, 16, 16 + 40, 0.0}, Case{4, 4, 32, 0, 600, 5.0},
                 Case{4, 1, 64, 0, 100, 0.0, false, ir::DType::f16, ir::DType::q8_0}}) {
    LoadedKernel k = load_kernel(desc(c));
    check_rows(c, k, rows, seed++);
  }
}

// Bidirectional attention (causal = 0, a vision encoder's patches): each row reads its
// sequence's keys up to the step's last row of it, in single rows, prefill tiles across
// several key blocks (static C and paged), caches of every dtype, and rows of several
// sequences in one step.
TEST(AttentionKernel, BidirectionalRowsReadUpToTheirSequencesLastRow) {
  uint32_t seed = 900;
  for (Case c : {Case{4, 4, 16, 0, 300, 0.0}, Case{8, 2, 64, 0, 600, 0.0, true},
                 Case{4, 1, 64, 0, 200, 5.0, false, ir::DType::f16, ir::DType::q8_0}}) {
    c.bidirectional = true;
    LoadedKernel k = load_kernel(desc(c));
    check(c, k, 1, 0, seed++);
    check(c, k, 5, 0, seed++);
    check(c, k, 7, 20, seed++);
    check(c, k, 150, 0, seed++);
    check_rows(c, k, Rows{{0, 1, 2, 3, 4, 9, 10, 11}, {0, 0, 0, 0, 0, 1, 1, 1}}, seed++);
  }
}

// Rows whose key ends (operand 5) lie past their positions (Gemma 3's image tokens, which
// see each other among causal text rows): a text row, an image's rows all ending at its
// last, text after; in one run and in prefill tiles over key blocks, on a full context,
// paged, and through a sliding window counted from each row's own position.
Rows image_rows(int32_t text, int32_t image, int32_t after, int32_t pos) {
  Rows r = run_of(text + image + after, pos);
  r.key_ends = r.positions;
  for (int32_t t = text; t < text + image; ++t) r.key_ends[static_cast<size_t>(t)] = pos + text + image - 1;
  return r;
}

TEST(AttentionKernel, KeyEndsLetAnImagesRowsSeeEachOther) {
  uint32_t seed = 1300;
  for (Case c : {Case{4, 1, 32, 0, 300, 0.0}, Case{8, 2, 64, 0, 600, 0.0, true},
                 Case{4, 2, 32, 16, 16 + 200, 0.0, false, ir::DType::f16, ir::DType::f16}}) {
    c.key_ends = true;
    LoadedKernel k = load_kernel(desc(c));
    check_rows(c, k, image_rows(2, 5, 3, 0), seed++);
    check_rows(c, k, image_rows(1, 100, 30, 7), seed++);
    check_rows(c, k, image_rows(0, 1, 0, 3), seed++);
  }
}

TEST(AttentionKernel, RowsOfSeveralSequencesReadTheirOwnCaches) {
  uint32_t seed = 200;
  // A prefill chunk of sequence 2 between decode rows of sequences 0, 1 and 3, at
  // positions near and past the window, full context and a ring.
  Rows mixed{{40, 0, 7, 8, 9, 10, 11, 300}, {0, 1, 2, 2, 2, 2, 2, 3}};
  Rows decodes{{3, 1, 500, 17, 0, 64, 2, 9}, {0, 1, 2, 3, 4, 5, 6, 7}};
  for (const Case& c :
       {Case{8, 2, 64, 0, 600, 0.0, true}, Case{4, 1, 40, 16, 16 + 8, 0.0}, Case{4, 4, 32, 0, 600, 5.0}}) {
    LoadedKernel k = load_kernel(desc(c));
    check_rows(c, k, mixed, seed++);
    check_rows(c, k, decodes, seed++);
  }
}

TEST(AttentionKernel, CachesStoredAsF16AndQ8_0) {
  uint32_t seed = 300;
  using ir::DType;
  const std::pair<DType, DType> stores[] = {
      {DType::f16, DType::f16}, {DType::q8_0, DType::q8_0}, {DType::q8_0, DType::f16}, {DType::f32, DType::q8_0}};
  for (auto [kd, vd] : stores) {
    for (Case c : {Case{8, 2, 64, 0, 300, 0.0, true}, Case{4, 1, 256, 0, 80, 5.0}, Case{4, 2, 32, 16, 16 + 6, 0.0}}) {
      c.k = kd;
      c.v = vd;
      LoadedKernel k = load_kernel(desc(c));
      check(c, k, 1, 0, seed++);
      check(c, k, 1, static_cast<int32_t>(c.slots - 1), seed++);
      check(c, k, 6, c.window ? 40 : 0, seed++);
    }
    Case c{8, 2, 64, 0, 600, 0.0, true, kd, vd};
    LoadedKernel k = load_kernel(desc(c));
    check_rows(c, k, Rows{{40, 0, 7, 8, 9, 10, 11, 300}, {0, 1, 2, 2, 2, 2, 2, 3}}, seed++);
    check(c, k, 37, 100, seed++);  // in tiles
    Case ring{4, 1, 32, 16, 16 + 40, 5.0, false, kd, vd};
    LoadedKernel kr = load_kernel(desc(ring));
    check(ring, kr, 37, 90, seed++);
  }
}

// Paged caches whose pages lie in a random order over a pool with pages no sequence uses
// (all NaN): every key block is read from the page the table names. Decode rows at page
// edges, prefill runs and tiles across them, several sequences in one step, the decode path
// that reads the cache rows directly and the one through scratch (head_dim 72).
TEST(AttentionKernel, PagedCachesThroughAScrambledPageTable) {
  uint32_t seed = 1000;
  using ir::DType;
  for (const Case& c : {Case{8, 2, 64, 0, 300, 0.0, true, DType::f32, DType::f32, true},
                        Case{4, 1, 256, 0, 200, 5.0, true, DType::f16, DType::q8_0, true},
                        Case{3, 3, 72, 0, 150, 0.0, true, DType::f16, DType::f16, true}}) {
    LoadedKernel k = load_kernel(desc(c));
    for (int32_t pos : {0, 63, 64, 127, static_cast<int32_t>(c.slots - 1)}) check(c, k, 1, pos, seed++);
    check(c, k, 7, 60, seed++);
    check(c, k, 40, 100, seed++);  // in tiles
    check_rows(c, k, Rows{{40, 0, 63, 64, 65, 66, 67, 128}, {0, 1, 2, 2, 2, 2, 2, 3}}, seed++);
  }
}

TEST(AttentionKernel, RangesCuttingThroughHeadGroups) {
  // Query heads sharing a kv head are processed together within a call; calls whose
  // ranges start and end inside such groups must still cover each item once.
  Case c{8, 2, 32, 0, 40, 0.0};
  LoadedKernel k = load_kernel(desc(c));
  Rows rows{{20, 5, 21}, {0, 1, 0}};
  Inputs in = inputs(c, rows, 11);
  std::vector<float> o(in.q.size(), NAN);
  int64_t syms[ir::kNumSyms] = {rows.count(), 1};
  run_ranges(k.fn, in.args(rows, o), syms, {0, 1, 2, 7, 9, 9, 15, 23, 24});
  EXPECT_EQ(mismatches(o, reference_attention(in.ref), 1e-5, 1e-6), "");
}

TEST(AttentionKernel, RangesCuttingThroughPrefillTiles) {
  // 40 rows of 8 query heads in 2 groups: tiles of 5 rows, 40 items from row to row.
  // A call computes the tiles whose first item is in its range, wherever it ends.
  Case c{8, 2, 32, 0, 100, 0.0};
  LoadedKernel k = load_kernel(desc(c));
  Rows rows = run_of(40, 30);
  Inputs in = inputs(c, rows, 12);
  std::vector<float> o(in.q.size(), NAN);
  int64_t syms[ir::kNumSyms] = {rows.count(), 1};
  run_ranges(k.fn, in.args(rows, o), syms, {0, 1, 2, 7, 9, 9, 15, 23, 24, 40, 44, 100, 101, 250, 319, 320});
  EXPECT_EQ(mismatches(o, reference_attention(in.ref), 1e-5, 1e-6), "");
}

// Whether two outputs are the same bits.
bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

// A row's output does not depend on the step around it: the same bits on 1 or 2
// threads, one work item per call, ranges cutting through tiles, and for the row
// alone in a step of its own (a decode step) as in a prefill tile. Otherwise the
// greedy text could change with the thread count, or from run to run as the
// threads happen to cut the work.
TEST(AttentionKernel, ARowsResultDoesNotDependOnItsStep) {
  uint32_t seed = 700;
  Rows rows = run_of(40, 150);  // windows from different keys, over several blocks
  rows.positions.push_back(7);  // and a decode row of another sequence
  rows.seqs.push_back(1);
  for (Case c :
       {Case{4, 1, 64, 100, 100 + 41, 0.0, false, ir::DType::f16, ir::DType::f16},
        Case{8, 2, 64, 0, 200, 5.0, true, ir::DType::q8_0, ir::DType::f16}, Case{3, 3, 72, 24, 24 + 41, 0.0}}) {
    LoadedKernel k = load_kernel(desc(c));
    Inputs in = inputs(c, rows, seed++);
    int64_t syms[ir::kNumSyms] = {rows.count(), 1, c.slots};
    int64_t items = k.info.items(syms);
    auto run = [&](const std::function<void(const std::vector<void*>&)>& call) {
      std::vector<float> o(in.q.size(), NAN);
      call(in.args(rows, o));
      return o;
    };
    std::vector<float> one = run([&](const std::vector<void*>& args) { run_kernel(k, args, syms, 1); });
    EXPECT_EQ(mismatches(one, reference_attention(in.ref), 1e-5, 1e-6), "");
    EXPECT_TRUE(same_bits(one, run([&](const std::vector<void*>& args) { run_kernel(k, args, syms, 2); })));
    EXPECT_TRUE(same_bits(one, run([&](const std::vector<void*>& args) {
                            for (int64_t item = 0; item < items; ++item) k.fn(args.data(), syms, item, item + 1);
                          })));
    EXPECT_TRUE(same_bits(one, run([&](const std::vector<void*>& args) {
                            run_ranges(k.fn, args, syms, {0, 3, 5, items / 3 + 1, items / 2, items - 7, items});
                          })));
    int64_t width = c.heads * c.head_dim;
    for (int64_t r : {int64_t{0}, int64_t{17}, int64_t{39}, int64_t{40}}) {
      std::vector<float> q(in.q.begin() + r * width, in.q.begin() + (r + 1) * width), o(width, NAN);
      int32_t pos = rows.positions[r], seq = rows.seqs[r];
      int64_t alone[ir::kNumSyms] = {1, 1, c.slots};
      run_kernel(k, {q.data(), in.kc.data(), in.vc.data(), &pos, &seq, o.data(), in.pages.table()}, alone, 2);
      EXPECT_TRUE(same_bits(o, std::vector<float>(one.begin() + r * width, one.begin() + (r + 1) * width)))
          << "row " << r << " alone, hd=" << c.head_dim;
    }
  }
}

TEST(AttentionKernel, CapFarBelowTheScores) {
  // Raw scores reach about ±8 here; a cap of 0.5 squashes them all into the flat
  // ends of tanh, where a wrong cap or a cap applied twice would show.
  Case c{2, 1, 16, 0, 4, 0.5};
  LoadedKernel k = load_kernel(desc(c));
  check(c, k, 2, 0, 7);
  check(c, k, 1, 3, 8);
}

// Attention as a region's anchor: each head's output is scaled and added to a residual
// in the epilogue as it is stored (one yield), or also stored as it is (two yields).
TEST(AttentionKernel, EpilogueScalesAndAddsAsItStores) {
  Case c{8, 2, 32, 0, 40, 0.0};
  std::string head =
      "graph @body(%q: f32[T,256], %kc: f32[40,64], %vc: f32[40,64], %positions: i32[T], %seq: i32[T], %r: f32[T,256]) "
      "{\n"
      "  %a = attention %q, %kc, %vc, %positions, %seq {head_dim = 32, n_heads = 8, n_kv_heads = 2, "
      "scale = 0.17677669529663687} : f32[T,256]\n"
      "  %s = scale %a {factor = 0.5} : f32[T,256]\n"
      "  %o = add %r, %s : f32[T,256]\n";
  LoadedKernel one = load_kernel(fusion_desc(head + "  return %o\n}\n"));
  LoadedKernel two = load_kernel(fusion_desc(head + "  return %o, %a\n}\n"));
  for (int64_t count : {1, 5, 9, 33}) {
    Rows rows = run_of(count, static_cast<int32_t>(std::min<int64_t>(20, 40 - count)));
    Inputs in = inputs(c, rows, 31);
    auto& q = in.q;
    auto res = random_floats(q.size(), 34, -1.0f, 1.0f);
    auto attn = reference_attention(in.ref);
    std::vector<double> want(attn.size());
    for (size_t i = 0; i < want.size(); ++i) want[i] = res[i] + attn[i] * 0.5;
    int64_t syms[ir::kNumSyms] = {count, 1};
    void* ids[] = {rows.positions.data(), rows.seqs.data()};
    for (int threads : {1, 2}) {
      std::vector<float> o(q.size(), NAN), a(q.size(), NAN);
      run_kernel(one, {q.data(), in.kc.data(), in.vc.data(), ids[0], ids[1], res.data(), o.data()}, syms, threads);
      EXPECT_EQ(mismatches(o, want, 1e-5, 1e-6), "") << "T=" << count << " threads=" << threads;
      std::fill(o.begin(), o.end(), NAN);
      run_kernel(two, {q.data(), in.kc.data(), in.vc.data(), ids[0], ids[1], res.data(), o.data(), a.data()}, syms,
                 threads);
      EXPECT_EQ(mismatches(o, want, 1e-5, 1e-6), "") << "two yields, T=" << count << " threads=" << threads;
      EXPECT_EQ(mismatches(a, attn, 1e-5, 1e-6), "") << "two yields, T=" << count << " threads=" << threads;
    }
  }
}

TEST(AttentionKernel, RejectsMalformedDescriptors) {
  codegen::KernelCompiler compiler;
  Case c{8, 2, 64, 0, 32, 0.0};
  auto bad_groups = desc(c);
  bad_groups.attrs["n_kv_heads"] = int64_t{3};
  EXPECT_THROW(compiler.add(bad_groups), Error);
  auto wrong_q = desc(c);
  wrong_q.operands[0] = wrong_q.results[0] = make_type(ir::DType::f32, {T(), D(500)});
  EXPECT_THROW(compiler.add(wrong_q), Error);
  auto mismatched_v = desc(c);
  mismatched_v.operands[2] = make_type(ir::DType::f32, {D(31), D(128)});
  EXPECT_THROW(compiler.add(mismatched_v), Error);
  auto no_scale = desc(c);
  no_scale.attrs.erase("scale");
  EXPECT_THROW(compiler.add(no_scale), Error);
  Case straddling{4, 2, 48, 0, 32, 0.0};  // a q8_0 block would straddle two heads
  straddling.k = ir::DType::q8_0;
  EXPECT_PRED2(contains, add_error(desc(straddling)), "whole blocks of 32 per head");
  Case bf16{4, 2, 32, 0, 32, 0.0};
  bf16.v = ir::DType::bf16;
  EXPECT_PRED2(contains, add_error(desc(bf16)), "f32, f16 or q8_0");
  Case windowed_both_ways{4, 2, 32, 8, 40, 0.0};
  windowed_both_ways.bidirectional = true;
  EXPECT_PRED2(contains, add_error(desc(windowed_both_ways)), "takes no window");
  auto causal_two = desc(c);
  causal_two.attrs["causal"] = int64_t{2};
  EXPECT_PRED2(contains, add_error(causal_two), "causal must be 0 or 1");
}

}  // namespace
}  // namespace lmc::test
