// A graph split by the shard pass, run by one executor per rank on threads of this
// process (an in-process world instead of MPI): the logits of every step equal the
// unsplit graph's within float rounding, and are the same bits on every rank, for 2
// ranks (KV heads split) and 4 ranks (the one KV head per rank pair replicated), over
// a prefill and decode steps. Without a world such a graph is refused.
#include <gtest/gtest.h>

#include <charconv>
#include <thread>

#include "in_process_collectives.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "passes/api/pass_context.h"
#include "passes/pass_manager.h"
#include "runtime/executor.h"
#include "support/error.h"
#include "test_graphs.h"

namespace lmc::runtime {
namespace {

using namespace testing;

constexpr int64_t kVocab = 64, kD = 32, kHeads = 4, kKvHeads = 2, kHeadDim = 8, kFfn = 64, kContext = 32;

// One pre-norm block with rope, GQA attention, a gated feed-forward and tied logits.
void build_block(ir::Graph& g, RandomWeights& w) {
  ir::Builder b(g);
  ir::Value* tokens = g.add_arg("tokens", {ir::DType::i32, {T()}});
  ir::Value* pos = g.add_arg("positions", {ir::DType::i32, {T()}});
  ir::Value* seq = g.add_arg("seq", {ir::DType::i32, {T()}});
  ir::Value* emb = w.param(b, "emb", {kVocab, kD});
  ir::Value* x = b.op("embedding", {emb, tokens}, {}, "x");
  ir::Value* h = b.op("rms_norm", {x, w.param(b, "n1", {kD})}, {{"eps", 1e-6}}, "h");
  const int64_t kv = kKvHeads * kHeadDim;
  ir::Value* q = b.op("linear", {h, w.param(b, "wq", {kHeads * kHeadDim, kD})}, {}, "q");
  ir::Value* k = b.op("linear", {h, w.param(b, "wk", {kv, kD})}, {}, "k");
  ir::Value* v = b.op("linear", {h, w.param(b, "wv", {kv, kD})}, {}, "v");
  ir::AttrMap rope{{"head_dim", kHeadDim}, {"base", 10000.0}, {"style", std::string("neox")}};
  q = b.op("rope", {b.op("rms_norm", {q, w.param(b, "qn", {kHeadDim})}, {{"eps", 1e-6}}, "q"), pos}, rope, "q");
  k = b.op("rope", {k, pos}, rope, "k");
  ir::Dim rows = ir::Dim::symbolic(ir::Sym::C);
  ir::Value* kc = b.op("kv_write", {g.add_arg("kc_in", f32({rows, n(kv)})), k, pos, seq}, {}, "kc");
  ir::Value* vc = b.op("kv_write", {g.add_arg("vc_in", f32({rows, n(kv)})), v, pos, seq}, {}, "vc");
  ir::Value* a = b.op("attention", {q, kc, vc, pos, seq},
                      {{"n_heads", kHeads}, {"n_kv_heads", kKvHeads}, {"head_dim", kHeadDim}, {"scale", 0.35}}, "a");
  a = b.op("linear", {a, w.param(b, "wo", {kD, kHeads * kHeadDim})}, {}, "o");
  x = b.op("add", {x, a}, {}, "x1");
  h = b.op("rms_norm", {x, w.param(b, "n2", {kD})}, {{"eps", 1e-6}}, "h2");
  ir::Value* gate = b.op("silu", {b.op("linear", {h, w.param(b, "wg", {kFfn, kD})}, {}, "g")}, {}, "g");
  ir::Value* up = b.op("linear", {h, w.param(b, "wu", {kFfn, kD})}, {}, "u");
  ir::Value* f = b.op("linear", {b.op("mul", {gate, up}, {}, "m"), w.param(b, "wd", {kD, kFfn})}, {}, "f");
  x = b.op("add", {x, f}, {}, "x2");
  h = b.op("tail_rows", {b.op("rms_norm", {x, w.param(b, "n3", {kD})}, {{"eps", 1e-6}}, "xn")}, {}, "xl");
  g.set_outputs({b.op("linear", {h, emb}, {}, "logits"), kc, vc});
}

// The folded params of a rank's share, rows(name,b,n) and cols(name,b,n), cut from
// the whole tensors.
class SlicedWeights : public WeightProvider {
 public:
  SlicedWeights(const RandomWeights& whole, const ir::Graph& g) : whole_(whole) {
    for (const auto& op : g.ops())
      if (op->kind() == "param") widths_[op->attr_str("name")] = op->result()->type().dims.back().value;
  }
  const void* get(const std::string& name) const override {
    if (name.rfind("rows(", 0) != 0 && name.rfind("cols(", 0) != 0) return whole_.get(name);
    auto& cut = cuts_[name];
    if (!cut.empty()) return cut.data();
    size_t c1 = name.find(','), c2 = name.find(',', c1 + 1);
    std::string base = name.substr(5, c1 - 5);
    int64_t begin = number(name.substr(c1 + 1, c2 - c1 - 1)), size = number(name.substr(c2 + 1, name.size() - c2 - 2));
    const std::vector<float>& t = whole_.tensor(base);
    int64_t width = widths_.at(base);
    if (name[0] == 'r') {
      cut.assign(t.begin() + begin * width, t.begin() + (begin + size) * width);
    } else {
      for (int64_t r = 0; r < static_cast<int64_t>(t.size()) / width; ++r)
        cut.insert(cut.end(), t.begin() + r * width + begin, t.begin() + r * width + begin + size);
    }
    return cut.data();
  }

 private:
  static int64_t number(const std::string& s) {
    int64_t v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    return v;
  }
  const RandomWeights& whole_;
  std::map<std::string, int64_t> widths_;
  mutable std::map<std::string, std::vector<float>> cuts_;
};

struct Model {
  RandomWeights w{11};
  ir::Graph g;
  Model() { build_block(g, w); }
};

// Rank r's share of `m`'s graph, folded.
std::unique_ptr<ir::Graph> shard(const Model& m, int ranks, int rank) {
  auto g = ir::parse(ir::print(m.g), "block.lir");
  passes::PassManager pm(passes::Instrumentation{});
  pm.add_pipeline("shard{ranks=" + std::to_string(ranks) + ",rank=" + std::to_string(rank) + "},fold-weights,dce");
  passes::PassContext ctx;
  pm.run(*g, ctx);
  return g;
}

const std::vector<int32_t> kPrompt = {3, 17, 42, 5, 9, 63, 0, 28};
constexpr int kDecodeSteps = 4;

ExecutorOptions options(Collectives* c) {
  ExecutorOptions o;
  o.threads = 1;
  o.max_logit_rows = kContext;
  o.collectives = c;
  return o;
}

// The logits of a prefill of every prompt row, then of greedy decode steps.
std::vector<std::vector<float>> run(Executor& ex) {
  std::vector<std::vector<float>> out;
  const auto T = static_cast<int64_t>(kPrompt.size());
  const float* l = ex.step(kPrompt.data(), T, 0, T);
  for (int64_t r = 0; r < T; ++r) out.emplace_back(l + r * kVocab, l + (r + 1) * kVocab);
  for (int s = 0; s < kDecodeSteps; ++s) {
    const std::vector<float>& last = out.back();
    auto token = static_cast<int32_t>(std::max_element(last.begin(), last.end()) - last.begin());
    l = ex.step(&token, 1, T + s, 1);
    out.emplace_back(l, l + kVocab);
  }
  return out;
}

std::vector<std::vector<float>> whole_run(Model& m) {
  Kernels k = jit_kernels(m.g);
  Executor ex(m.g, k.table, m.w, model_info(kContext, kContext), options(nullptr));
  return run(ex);
}

void expect_split_matches(int ranks) {
  Model m;
  auto want = whole_run(m);
  InProcessWorld world(ranks, 10.0);
  std::vector<std::vector<std::vector<float>>> got(static_cast<size_t>(ranks));
  std::vector<std::string> errors(static_cast<size_t>(ranks));
  std::vector<std::unique_ptr<ir::Graph>> graphs;
  for (int r = 0; r < ranks; ++r) graphs.push_back(shard(m, ranks, r));
  std::vector<std::thread> threads;
  for (int r = 0; r < ranks; ++r)
    threads.emplace_back([&, r] {
      try {
        const ir::Graph& g = *graphs[static_cast<size_t>(r)];
        Kernels k = jit_kernels(g);
        SlicedWeights w(m.w, m.g);
        Executor ex(g, k.table, w, model_info(kContext, kContext), options(&world.rank(r)));
        got[static_cast<size_t>(r)] = run(ex);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(r)] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  for (int r = 0; r < ranks; ++r) ASSERT_EQ(errors[static_cast<size_t>(r)], "") << "rank " << r;
  ASSERT_EQ(got[0].size(), want.size());
  for (size_t s = 0; s < want.size(); ++s) {
    for (int64_t i = 0; i < kVocab; ++i)
      ASSERT_NEAR(got[0][s][static_cast<size_t>(i)], want[s][static_cast<size_t>(i)],
                  2e-5 * (1 + std::abs(want[s][static_cast<size_t>(i)])))
          << "row " << s << " logit " << i;
    for (int r = 1; r < ranks; ++r)
      EXPECT_EQ(got[static_cast<size_t>(r)][s], got[0][s]) << "rank " << r << " row " << s;
  }
}

TEST(ShardedExecutor, TwoRanksSplittingTheKvHeadsGiveTheWholeGraphsLogits) { expect_split_matches(2); }

TEST(ShardedExecutor, FourRanksReplicatingKvHeadsGiveTheWholeGraphsLogits) { expect_split_matches(4); }

TEST(ShardedExecutor, ASplitGraphAloneIsRefused) {
  Model m;
  auto g = shard(m, 2, 0);
  Kernels k = jit_kernels(*g);
  SlicedWeights w(m.w, m.g);
  try {
    Executor ex(*g, k.table, w, model_info(kContext, kContext), options(nullptr));
    FAIL() << "a graph with collectives ran alone";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("split over 2 ranks, but this process runs alone (run it under mpirun -np 2)"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace lmc::runtime
