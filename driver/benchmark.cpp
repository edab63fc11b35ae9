#include "driver/benchmark.h"
#include "ir/op_registry.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <random>

#include "runtime/executor.h"
#include "runtime/generator.h"

namespace lmc::driver {

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Whether operand i of op is a table of which the kernel reads only the rows named by ids.
bool gathered(const ir::Op& op, size_t i) {
  for (const ir::Op* inner : ir::ops_run_by(op))
    if (ir::traits(*inner).gathers_rows && (op.body() ? inner->operand(0) == op.body()->args()[i].get() : i == 0))
      return true;
  return false;
}

// n tokens of `prompt` at positions from..from+n, in steps of at most step_tokens rows.
void prefill(runtime::Executor& ex, const std::vector<int32_t>& prompt, int64_t from, int64_t n, int64_t step_tokens) {
  for (int64_t at = 0; at < n; at += step_tokens)
    ex.step(prompt.data() + (at % static_cast<int64_t>(prompt.size())), std::min(step_tokens, n - at), from + at, 1);
}

// n single-token steps at positions from..from+n; each step's milliseconds.
std::vector<double> decode(runtime::Executor& ex, const std::vector<int32_t>& prompt, int64_t from, int64_t n) {
  std::vector<double> steps;
  for (int64_t i = 0; i < n; ++i) {
    auto s0 = std::chrono::steady_clock::now();
    ex.step(&prompt[static_cast<size_t>(i % 8)], 1, from + i, 1);
    steps.push_back(seconds(s0) * 1e3);
  }
  return steps;
}

// Tokens/s of `tokens` tokens over each measured run of `test(measured)`, after `depth`
// tokens of prompt; the first run warms up (measured false).
template <class Test>
Samples timed_runs(runtime::Executor& ex, const std::vector<int32_t>& prompt, int64_t depth, int64_t step_tokens,
                   int runs, int64_t tokens, Test test) {
  Samples s;
  for (int run = 0; run <= runs; ++run) {
    ex.reset();
    prefill(ex, prompt, 0, depth, step_tokens);
    auto t0 = std::chrono::steady_clock::now();
    test(run > 0);
    if (run > 0) s.values.push_back(static_cast<double>(tokens) / seconds(t0));
  }
  return s;
}

// Each run's seconds for `tokens` tokens, from its tokens/s.
std::vector<double> seconds_per_run(const Samples& tps, int64_t tokens) {
  std::vector<double> out;
  for (double v : tps.values) out.push_back(static_cast<double>(tokens) / v);
  return out;
}

}  // namespace

double Samples::median() const { return driver::median(values); }

double Samples::mean() const {
  return values.empty() ? 0 : std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

double Samples::stddev() const {
  if (values.size() < 2) return 0;
  double m = mean(), ss = 0;
  for (double v : values) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(values.size() - 1));
}

// The share of weight operand i one decode row reads: a gathered table's one row, stacked
// experts' k of E.
double read_share(const ir::Op& op, size_t i) {
  const ir::Type& w = op.operand(i)->type();
  if (gathered(op, i)) return 1.0 / static_cast<double>(w.dims[0].value);
  if (ir::traits(op).selects_experts && i == 1)
    return static_cast<double>(op.operand(2)->type().dims[1].value) / static_cast<double>(w.dims[0].value);
  return 1.0;
}

double decode_weight_bytes(const ir::Graph& g) {
  double bytes = 0;
  for (const auto& op : g.ops())
    for (size_t i = 0; i < op->operands().size(); ++i) {
      const ir::Value* v = op->operand(i);
      if (!v->def() || !ir::is_role(*v->def(), ir::OpRole::Weight)) continue;
      int64_t no_syms[ir::kNumSyms] = {1, 1};
      bytes += static_cast<double>(v->type().bytes(no_syms)) * read_share(*op, i);
    }
  return bytes;
}

int64_t parameter_count(const ir::Graph& g) {
  int64_t n = 0;
  int64_t no_syms[ir::kNumSyms] = {1, 1};
  for (const auto& op : g.ops())
    if (ir::is_role(*op, ir::OpRole::Weight)) n += op->result()->type().numel(no_syms);
  return n;
}

SpeedResult measure_speed(const driver::LoadedModel& m, int threads, int runs, const SpeedTests& tests) {
  SpeedResult r{};
  r.threads = threads;
  r.depth = tests.depth;
  runtime::ExecutorOptions eo;
  eo.threads = threads;
  eo.collectives = m.collectives;
  runtime::Executor ex(*m.graph, m.kernels, *m.weights, m.info, eo);
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> tok(0, static_cast<int32_t>(ex.vocab() - 1));
  std::vector<int32_t> prompt(static_cast<size_t>(std::max<int64_t>(m.info.step_tokens, 64)));
  for (auto& t : prompt) t = tok(rng);
  const int64_t d = tests.depth, step = m.info.step_tokens;

  if (tests.decode_tokens > 0) {
    std::vector<double> step_ms;
    r.decode_tps = timed_runs(ex, prompt, d, step, runs, tests.decode_tokens, [&](bool measured) {
      auto steps = decode(ex, prompt, d, tests.decode_tokens);
      if (measured) step_ms.insert(step_ms.end(), steps.begin(), steps.end());
    });
    r.decode_step_ms_median = median(step_ms);
    r.decode_step_ms_max = *std::max_element(step_ms.begin(), step_ms.end());
  }
  for (int64_t n : tests.prefill) {
    auto run = [&](bool) { prefill(ex, prompt, d, n, step); };
    r.prefill_tps.emplace_back(n, timed_runs(ex, prompt, d, step, runs, n, run));
    // The time to first token of the first length is its median run's.
    if (n == tests.prefill.front()) r.ttft_ms = median(seconds_per_run(r.prefill_tps.back().second, n)) * 1e3;
  }
  // Named copies, not a structured binding: clang 14 cannot capture a binding in a lambda.
  for (const auto& pg : tests.pg) {
    const int64_t pp = pg.first, tg = pg.second;
    r.pg_tps.push_back(timed_runs(ex, prompt, d, step, runs, pp + tg, [&](bool) {
      prefill(ex, prompt, d, pp, step);
      decode(ex, prompt, d + pp, tg);
    }));
  }
  return r;
}

ParallelResult measure_parallel(const LoadedModel& m, int threads, int runs, int64_t decode_tokens, int64_t streams) {
  runtime::ExecutorOptions eo;
  eo.threads = threads;
  eo.collectives = m.collectives;
  eo.sequences = streams;
  eo.max_logit_rows = streams;
  runtime::Executor ex(*m.graph, m.kernels, *m.weights, m.info, eo);
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> tok(0, static_cast<int32_t>(ex.vocab() - 1));
  const auto S = static_cast<size_t>(streams);
  std::vector<int32_t> prompt(8), tokens(S), positions(S), seqs(S);
  for (auto& t : prompt) t = tok(rng);
  for (size_t s = 0; s < S; ++s) seqs[s] = static_cast<int32_t>(s);

  std::vector<double> step_ms, run_tps;
  for (int run = 0; run <= runs; ++run) {  // the first run warms up
    for (int64_t s = 0; s < streams; ++s) {
      std::vector<int32_t> at(8), in(8, static_cast<int32_t>(s));
      for (int32_t p = 0; p < 8; ++p) at[static_cast<size_t>(p)] = p;
      ex.step(runtime::StepRows{prompt.data(), at.data(), in.data(), 8}, 1);
    }
    std::vector<double> steps;
    auto t0 = std::chrono::steady_clock::now();
    for (int64_t i = 0; i < decode_tokens; ++i) {
      for (size_t s = 0; s < S; ++s) {
        tokens[s] = prompt[(static_cast<size_t>(i) + s) % prompt.size()];
        positions[s] = static_cast<int32_t>(8 + i);
      }
      auto s0 = std::chrono::steady_clock::now();
      ex.step(runtime::StepRows{tokens.data(), positions.data(), seqs.data(), streams}, streams);
      steps.push_back(seconds(s0) * 1e3);
    }
    if (run == 0) continue;
    run_tps.push_back(static_cast<double>(decode_tokens * streams) / seconds(t0));
    step_ms.insert(step_ms.end(), steps.begin(), steps.end());
  }
  return {threads, streams, Samples{run_tps}, median(step_ms)};
}

namespace {

const char* const kRepetitivePrompts[] = {
    "def add(a, b):\n    return a + b\n\ndef sub(a, b):\n    return a - b\n\ndef mul(a, b):\n   ",
    "Monday, Tuesday, Wednesday, Thursday, Friday, Saturday, Sunday, Monday, Tuesday,",
    "{\"id\": 1, \"name\": \"apple\", \"price\": 1.2}\n{\"id\": 2, \"name\": \"banana\", \"price\": 0.5}\n{\"id\": 3,",
    "The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog. The quick",
};

// The prompt set's generations: each prompt's tokens, and their stats summed.
struct SetRun {
  std::vector<std::vector<int32_t>> texts;
  runtime::GenerationStats total;
  double decode_tps() const { return total.decode_seconds > 0 ? total.decode_tokens / total.decode_seconds : 0; }
};

SetRun decode_set(runtime::Executor& ex, const std::vector<std::vector<int32_t>>& prompts,
                  const runtime::GenerateOptions& opts) {
  SetRun r;
  for (const auto& p : prompts) {
    ex.reset();
    auto& out = r.texts.emplace_back();
    auto st = runtime::generate(ex, p, opts, [&](int32_t t) {
      out.push_back(t);
      return true;
    });
    r.total.decode_tokens += st.decode_tokens;
    r.total.decode_seconds += st.decode_seconds;
    r.total.drafted += st.drafted;
    r.total.accepted += st.accepted;
  }
  return r;
}

}  // namespace

SpecResult measure_spec(const LoadedModel& m, int threads, int runs, int64_t decode_tokens, int64_t draft) {
  runtime::ExecutorOptions eo;
  eo.threads = threads;
  eo.collectives = m.collectives;
  eo.max_logit_rows = draft + 1;
  runtime::Executor ex(*m.graph, m.kernels, *m.weights, m.info, eo);
  std::vector<std::vector<int32_t>> prompts;
  for (const char* p : kRepetitivePrompts) prompts.push_back(m.tokenizer->encode(p, m.tokenizer->wants_bos()));
  runtime::GenerateOptions plain;
  plain.max_tokens = decode_tokens;
  runtime::GenerateOptions spec = plain;
  spec.draft_max = draft;
  SpecResult r{threads, draft, {}, {}, true, 0, 0};
  for (int run = 0; run <= runs; ++run) {  // the first run warms up
    SetRun a = decode_set(ex, prompts, plain), b = decode_set(ex, prompts, spec);
    r.same_text = r.same_text && a.texts == b.texts;
    r.drafted = b.total.drafted;
    r.accepted = b.total.accepted;
    if (run == 0) continue;
    r.plain_tps.values.push_back(a.decode_tps());
    r.spec_tps.values.push_back(b.decode_tps());
  }
  return r;
}

}  // namespace lmc::driver
