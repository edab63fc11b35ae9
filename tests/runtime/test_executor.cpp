#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ir/graph_view.h"
#include "runtime/executor.h"
#include "runtime/memory_plan.h"
#include "test_graphs.h"

namespace lmc::runtime {
namespace {

using namespace testing;

constexpr int64_t kVocab = 300, kD = 256, kStep = 16, kContext = 64;

// The branchy graph computed in plain C++, row by row (see build_branchy_graph).
std::vector<float> reference_logits(const RandomWeights& w, const std::vector<int32_t>& tokens) {
  auto linear = [](const std::vector<float>& x, const std::vector<float>& m, int64_t n, int64_t k) {
    std::vector<float> y(n);
    for (int64_t i = 0; i < n; ++i) {
      double s = 0;
      for (int64_t j = 0; j < k; ++j) s += double(x[j]) * m[i * k + j];
      y[i] = float(s);
    }
    return y;
  };
  const auto& emb = w.tensor("emb");
  std::vector<float> x(emb.begin() + tokens.back() * kD, emb.begin() + (tokens.back() + 1) * kD), ga(kD), sb(kD);
  for (int64_t j = 0; j < kD; ++j) {
    ga[j] = 0.5f * x[j] * (1 + std::erf(x[j] / std::sqrt(2.0f)));
    float s = 0.5f * x[j];
    sb[j] = s / (1 + std::exp(-s));
  }
  auto a = linear(ga, w.tensor("wa"), 2 * kD, kD), b = linear(sb, w.tensor("wb"), 2 * kD, kD);
  double ss = 0;
  for (int64_t j = 0; j < 2 * kD; ++j) {
    a[j] += b[j];
    ss += double(a[j]) * a[j];
  }
  float r = float(1 / std::sqrt(ss / (2 * kD) + 1e-6));
  for (int64_t j = 0; j < 2 * kD; ++j) a[j] *= r * w.tensor("norm")[j];
  return linear(a, w.tensor("out"), kVocab, 2 * kD);
}

struct Branchy {
  ir::Graph g;
  RandomWeights w{11};
  Kernels k;
  Branchy() {
    build_branchy_graph(g, w, kVocab, kD);
    k = jit_kernels(g);
  }
  std::unique_ptr<Executor> executor(int threads, bool profile = false, bool compact = false) {
    ExecutorOptions o;
    o.threads = threads;
    o.profile = profile;
    o.compact_arena = compact;
    o.max_logit_rows = kStep;
    return std::make_unique<Executor>(g, k.table, w, model_info(kContext, kStep), o);
  }
};

std::vector<int32_t> some_tokens(int64_t n, int seed) {
  std::vector<int32_t> t;
  for (int64_t i = 0; i < n; ++i) t.push_back(static_cast<int32_t>((i * 37 + seed * 11) % kVocab));
  return t;
}

TEST(Executor, MatchesReference) {
  Branchy m;
  auto ex = m.executor(2);
  EXPECT_EQ(ex->vocab(), kVocab);
  for (int64_t T : {int64_t{1}, int64_t{5}, kStep}) {
    auto tokens = some_tokens(T, static_cast<int>(T));
    const float* logits = ex->step(tokens.data(), T, 0, 1);
    auto want = reference_logits(m.w, tokens);
    for (int64_t v = 0; v < kVocab; ++v) ASSERT_NEAR(logits[v], want[v], 1e-3 * (1 + std::fabs(want[v]))) << v;
  }
}

TEST(Executor, OneAndTwoThreadsGiveIdenticalLogits) {
  Branchy m;
  auto one = m.executor(1), two = m.executor(2);
  for (int64_t T : {kStep, int64_t{1}, int64_t{7}}) {
    auto tokens = some_tokens(T, 3);
    const float* a = one->step(tokens.data(), T, 0, T);
    const float* b = two->step(tokens.data(), T, 0, T);
    EXPECT_EQ(std::memcmp(a, b, sizeof(float) * T * kVocab), 0) << "T = " << T;
  }
}

// Every node starts after the nodes it reads from and after the readers of the
// bytes it reuses have finished — checked on the recorded times at two threads.
// Returns whether two nodes ever ran at the same time.
bool check_order(bool compact) {
  Branchy m;
  auto ex = m.executor(2, /*profile=*/true, compact);
  for (int i = 0; i < 20; ++i) {
    auto tokens = some_tokens(kStep, i);
    ex->step(tokens.data(), i % 2 ? kStep : 1, 0, 1);
  }
  const Profiler& p = *ex->profiler();
  std::map<const ir::Op*, int> index;
  for (size_t i = 0; i < p.nodes().size(); ++i) index[p.nodes()[i].op] = static_cast<int>(i);

  auto order = ir::topological_order(m.g);
  MemoryPlan plan = plan_memory(m.g, {order->begin(), order->end()}, kStep, compact);
  std::vector<std::pair<int, int>> must;  // (before, after)
  for (const auto& n : p.nodes())
    for (const ir::Value* v : n.op->operands())
      if (index.count(v->def())) must.push_back({index[v->def()], index[n.op]});
  for (const auto& [before, after] : plan.reuse_edges())
    if (index.count(before) && index.count(after)) must.push_back({index[before], index[after]});
  EXPECT_GT(must.size(), p.nodes().size());

  bool overlapped = false;
  for (const StepRecord& s : p.steps()) {
    for (const auto& [before, after] : must)
      EXPECT_LE(s.nodes[before].end_ns, s.nodes[after].start_ns)
          << p.nodes()[before].op->result(0)->name() << " -> " << p.nodes()[after].op->result(0)->name();
    for (size_t i = 0; i < s.nodes.size(); ++i)
      for (size_t j = i + 1; j < s.nodes.size(); ++j)
        overlapped |= s.nodes[i].start_ns < s.nodes[j].end_ns && s.nodes[j].start_ns < s.nodes[i].end_ns;
  }
  return overlapped;
}

TEST(Executor, NodesNeverRunBeforeTheirInputs) {
  // Independent branches may overlap; whether they did depends on the scheduler and
  // the machine's load, so it is reported rather than required.
  if (!check_order(/*compact=*/false)) std::cout << "note: the two branches never overlapped in time\n";
}

TEST(Executor, CompactArenaOrdersBranchesThatShareBytes) {
  Branchy m;
  auto order = ir::topological_order(m.g);
  MemoryPlan compact = plan_memory(m.g, {order->begin(), order->end()}, kStep, true);
  MemoryPlan plain = plan_memory(m.g, {order->begin(), order->end()}, kStep);
  EXPECT_LT(compact.arena_bytes, plain.arena_bytes) << "the branches could share bytes";
  check_order(/*compact=*/true);
}

TEST(Executor, RejectsStepsOutsideItsShape) {
  Branchy m;
  auto ex = m.executor(1);
  auto tokens = some_tokens(kStep + 1, 0);
  EXPECT_THROW(ex->step(tokens.data(), kStep + 1, 0, 1), Error);
  EXPECT_THROW(ex->step(tokens.data(), 4, 0, 5), Error);
  EXPECT_THROW(ex->step(tokens.data(), 0, 0, 1), Error);
  EXPECT_THROW(ex->step(tokens.data(), 4, kContext - 3, 1), Error);
  EXPECT_NO_THROW(ex->step(tokens.data(), 4, kContext - 4, 1));
  for (int32_t bad : {-1, static_cast<int32_t>(kVocab)}) {
    tokens[2] = bad;
    EXPECT_THROW(ex->step(tokens.data(), 4, 0, 1), Error) << "token " << bad;
  }
  Executor one_row(m.g, m.k.table, m.w, model_info(kContext, kStep), {});
  EXPECT_EQ(one_row.max_logit_rows(), 1);
  EXPECT_THROW(one_row.step(tokens.data(), 4, 0, 2), Error);
}

TEST(Executor, MissingKernelOrWeightIsAnError) {
  Branchy m;
  KernelTable empty;
  EXPECT_THROW(Executor(m.g, empty, m.w, model_info(kContext, kStep)), Error);
  RandomWeights none(0);
  EXPECT_THROW(Executor(m.g, m.k.table, none, model_info(kContext, kStep)), Error);
}

TEST(Executor, ReportsMemory) {
  Branchy m;
  auto ex = m.executor(1);
  MemoryReport r = ex->memory();
  int64_t params = kVocab * kD + 2 * (2 * kD * kD) + 2 * kD + kVocab * 2 * kD;
  EXPECT_EQ(r.weight_bytes, static_cast<uint64_t>(params) * 4);
  EXPECT_EQ(r.kv_bytes, 0u);
  EXPECT_GE(r.arena_bytes, static_cast<uint64_t>(kStep * 2 * kD * 4 * 2));  // a and s live together
  EXPECT_GE(r.arena_bytes, static_cast<uint64_t>(kStep * kVocab * 4));      // kStep logits rows
}

TEST(Profiler, ReportsEveryStepAndKernel) {
  Branchy m;
  auto ex = m.executor(2, true);
  auto tokens = some_tokens(kStep, 1);
  ex->step(tokens.data(), kStep, 0, 1);
  for (int i = 0; i < 3; ++i) ex->step(tokens.data(), 1, kStep + i, 1);
  const Profiler& p = *ex->profiler();
  ASSERT_EQ(p.steps().size(), 4u);
  std::ostringstream table, trace, chrome;
  p.print_step_table(table);
  p.print_steady_state(table);
  p.print_trace(trace, 0);
  p.write_chrome_trace(chrome);
  EXPECT_NE(table.str().find("| Prefill (16 rows) |"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("| Token 18 |"), std::string::npos) << table.str();
  EXPECT_NE(table.str().find("| Total |"), std::string::npos);
  EXPECT_NE(trace.str().find("[TRACE] linear %logits "), std::string::npos) << trace.str();
  EXPECT_NE(trace.str().find("[1,512]x[300,512]"), std::string::npos) << trace.str();
  size_t lines = 0;
  for (char c : trace.str()) lines += c == '\n';
  EXPECT_EQ(lines, p.nodes().size());
  size_t chunks = 0;
  for (const StepRecord& s : p.steps()) chunks += s.chunks.size();
  size_t events = 0;
  for (size_t at = 0; (at = chrome.str().find("\"ph\":\"X\"", at)) != std::string::npos; ++at) ++events;
  EXPECT_EQ(events, chunks + p.steps().size());
}

// Layer membership comes from value names; the attention half ends at the first residual add.
TEST(Profiler, ClassifiesOpsIntoTheSeedsComponents) {
  ir::Graph g;
  RandomWeights w(2);
  ir::Builder b(g);
  ir::Value* tokens = g.add_arg("tokens", {ir::DType::i32, {T()}});
  ir::Value* x = b.op("embedding", {w.param(b, "emb", {10, 16}), tokens}, {}, "x");
  x = b.op("scale", {x}, {{"factor", 4.0}}, "x");
  for (int i = 0; i < 2; ++i) {
    std::string s = "_" + std::to_string(i);
    ir::Value* a = b.op("linear", {x, w.param(b, "wa" + s, {16, 16})}, {}, "a" + s);
    x = b.op("add", {x, a}, {}, "x" + s);
    ir::Value* f = b.op("gelu", {x}, {}, "f" + s);
    x = b.op("add", {x, f}, {}, "x" + s);
  }
  x = b.op("tail_rows", {x}, {}, "x");
  g.set_outputs({b.op("linear", {x, w.param(b, "out", {10, 16})}, {}, "logits")});
  std::vector<const ir::Op*> ops;
  for (const auto& op : g.ops())
    if (op->kind() != "param") ops.push_back(op.get());
  auto nodes = Profiler::classify(ops, std::vector<std::string>(ops.size(), "k"));
  std::vector<std::string> got;
  for (const auto& n : nodes) {
    const char* c[] = {"E", "L", "N", "P"};
    std::string tag = c[static_cast<int>(n.component)];
    if (n.component == Component::Layers) tag += std::to_string(n.layer) + (n.part == LayerPart::Attention ? "a" : "f");
    got.push_back(tag);
  }
  EXPECT_EQ(got,
            (std::vector<std::string>{"E", "E", "L0a", "L0a", "L0f", "L0f", "L1a", "L1a", "L1f", "L1f", "N", "P"}));
}

// The Chrome trace is JSON whatever the names hold: quotes, backslashes, control
// characters, and bytes that are not UTF-8 (written as U+FFFD).
TEST(Profiler, ChromeTraceIsJsonWhateverTheNamesHold) {
  ir::Graph g;
  RandomWeights w(2);
  ir::Builder b(g);
  ir::Value* tokens = g.add_arg("tokens", {ir::DType::i32, {T()}});
  b.op("embedding", {w.param(b, "emb", {10, 16}), tokens}, {}, "x\t\"q\"");
  const ir::Op* op = g.ops().back().get();
  Profiler p(Profiler::classify({op}, {"kern\x01el\\\n\xff"}), 1);
  p.begin_step(4, 4, 0);
  p.record_node(0, 1000, 3000, 0);
  p.record_chunk(0, 1000, 2500, 0, 0, 4);
  p.end_step();
  std::ostringstream chrome;
  p.write_chrome_trace(chrome);
  nlohmann::json trace;
  ASSERT_NO_THROW(trace = nlohmann::json::parse(chrome.str())) << chrome.str();
  const nlohmann::json& events = trace.at("traceEvents");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].at("name"), "Prefill (4 rows)");
  EXPECT_EQ(events[1].at("name"), "embedding %x\t\"q\"");
  EXPECT_EQ(events[1].at("args").at("symbol"), "kern\x01el\\\n\xef\xbf\xbd");
  EXPECT_EQ(events[1].at("args").at("items"), "0..4");
  EXPECT_EQ(events[1].at("ts"), 1.0);
  EXPECT_EQ(events[1].at("dur"), 1.5);
}

}  // namespace
}  // namespace lmc::runtime
