// Continuous batching against generation alone: sequences that join at different
// steps, with prompts longer than a step and sampling or greedy, produce the tokens
// and logits each produces alone; slots are reused as sequences finish; a step's rows
// never exceed step_tokens; and the caller's stop, the token budget and the context's
// end finish a sequence as they finish generate(). A new sequence reads only the part of
// its prompt its slot's cache does not hold, with the same tokens. A job's token
// constraint decides its tokens and its end.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>

#include "attention_graph.h"
#include "runtime/batch_generator.h"
#include "runtime/kv_snapshot.h"
#include "support/error.h"
#include "temp_dir.h"

namespace lmc::runtime {
namespace {

using testing::AttentionModel;

struct Model {
  AttentionModel m;
  testing::Kernels k;
  Model(int64_t window, int64_t context, int64_t step_tokens)
      : m(window, context, step_tokens), k(testing::jit_kernels(m.g)) {}

  Executor executor(int64_t sequences) {
    ExecutorOptions o;
    o.threads = 2;
    o.sequences = sequences;
    o.max_logit_rows = m.step_tokens;
    return Executor(m.g, k.table, m.w, m.info(), o);
  }
};

struct Outcome {
  std::vector<int32_t> tokens;
  std::vector<std::vector<float>> logits;  // every prompt row's and decode step's
  GenerationStats stats;
  bool done = false;
};

std::vector<int32_t> prompt_of(int64_t n, int seed) {
  std::vector<int32_t> p;
  for (int64_t i = 0; i < n; ++i) p.push_back(static_cast<int32_t>((i * 5 + seed * 3) % AttentionModel::kVocab));
  return p;
}

GenerateOptions options(int64_t max_tokens, int seed, Outcome& out) {
  GenerateOptions o;
  o.max_tokens = max_tokens;
  o.all_logits = true;
  o.on_logits = [&out](int64_t, const float* row) { out.logits.emplace_back(row, row + AttentionModel::kVocab); };
  if (seed % 2) {  // every other sequence samples, with its own seed
    o.sampling.temperature = 0.8f;
    o.sampling.seed = static_cast<uint64_t>(seed);
  }
  return o;
}

Outcome alone(Model& model, const std::vector<int32_t>& prompt, int64_t max_tokens, int seed) {
  Executor ex = model.executor(1);
  Outcome out;
  out.stats = generate(ex, prompt, options(max_tokens, seed, out), [&](int32_t t) {
    out.tokens.push_back(t);
    return true;
  });
  return out;
}

TEST(BatchGenerator, SequencesJoiningAtDifferentStepsProduceWhatTheyProduceAlone) {
  for (int64_t sequences : {1, 3, 8}) {
    Model model(/*window=*/4, /*context=*/48, /*step_tokens=*/sequences + 3);
    Executor ex = model.executor(sequences);
    BatchGenerator batch(ex, /*prefill_chunk=*/4);
    const int jobs = static_cast<int>(2 * sequences + 1);
    std::map<int, Outcome> got;
    int added = 0;
    int64_t steps = 0;
    while (added < jobs || batch.active() > 0) {
      // One new sequence every other step while a slot is free: arrivals mid-decode.
      if (added < jobs && batch.has_free_slot() && steps % 2 == 0) {
        int id = added++;
        Outcome& out = got[id];
        BatchJob job{prompt_of(3 + id % 7 * 2, id), options(4 + id % 5, id, out),
                     [&out](int32_t t) {
                       out.tokens.push_back(t);
                       return true;
                     },
                     [&out](const GenerationStats& st, const std::string& error) {
                       EXPECT_EQ(error, "");
                       out.stats = st;
                       out.done = true;
                     }};
        batch.add(std::move(job));
      }
      int64_t rows = batch.step();
      EXPECT_LE(rows, model.m.step_tokens);
      ++steps;
      ASSERT_LT(steps, 1000);
    }
    for (int id = 0; id < jobs; ++id) {
      const Outcome& b = got[id];
      Outcome a = alone(model, prompt_of(3 + id % 7 * 2, id), 4 + id % 5, id);
      ASSERT_TRUE(b.done) << "sequence " << id;
      EXPECT_EQ(b.tokens, a.tokens) << sequences << " slots, sequence " << id;
      ASSERT_EQ(b.logits.size(), a.logits.size()) << sequences << " slots, sequence " << id;
      for (size_t r = 0; r < a.logits.size(); ++r)
        for (size_t c = 0; c < a.logits[r].size(); ++c)
          ASSERT_NEAR(b.logits[r][c], a.logits[r][c], 1e-6) << "sequence " << id << " row " << r << " column " << c;
      EXPECT_EQ(b.stats.prompt_tokens, a.stats.prompt_tokens);
      EXPECT_EQ(b.stats.decode_tokens, a.stats.decode_tokens);
      EXPECT_EQ(b.stats.end_pos, a.stats.end_pos);
    }
  }
}

// One job through the batch alone, as a server runs a chat's turn: its tokens and stats.
Outcome turn(BatchGenerator& batch, const std::vector<int32_t>& prompt, int64_t max_tokens, int seed,
             bool reuse = true) {
  Outcome out;
  GenerateOptions o = options(max_tokens, seed, out);
  o.all_logits = false;
  BatchJob job{prompt, o,
               [&out](int32_t t) {
                 out.tokens.push_back(t);
                 return true;
               },
               [&out](const GenerationStats& st, const std::string& error) {
                 EXPECT_EQ(error, "");
                 out.stats = st;
                 out.done = true;
               }};
  job.reuse_prefix = reuse;
  batch.add(std::move(job));
  while (batch.active() > 0) batch.step();
  EXPECT_TRUE(out.done);
  return out;
}

int64_t common_prefix(const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  return std::mismatch(a.begin(), a.end(), b.begin(), b.end()).first - a.begin();
}

std::vector<int32_t> joined(std::vector<int32_t> a, const std::vector<int32_t>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// A chat's next turn resends the conversation: the slot that ran the last turn holds it,
// so only the new tokens are prefilled, and the tokens are those of the whole prompt read
// from scratch. A prompt that leaves what a slot holds early goes back to the common
// prefix, unless a window's ring cannot go back that far (step_tokens positions): then it
// is read whole. An unrelated prompt takes the slot used least recently, and a job asking
// for no reuse is read whole.
TEST(BatchGenerator, ANextTurnReadsOnlyWhatTheSlotDoesNotHold) {
  for (int64_t window : {0, 4}) {
    const int64_t step = 5;
    Model model(window, /*context=*/64, step);
    Executor ex = model.executor(2);
    BatchGenerator batch(ex, /*prefill_chunk=*/4);
    auto same_as_alone = [&](const Outcome& got, const std::vector<int32_t>& prompt, int64_t max_tokens, int seed) {
      Outcome a = alone(model, prompt, max_tokens, seed);
      EXPECT_EQ(got.tokens, a.tokens) << "window " << window;
      EXPECT_EQ(got.stats.end_pos, a.stats.end_pos) << "window " << window;
    };
    const std::vector<int32_t> first = prompt_of(6, 1);
    Outcome a = turn(batch, first, 5, 0);
    EXPECT_EQ(a.stats.cached_tokens, 0);
    // The slot holds the prompt and the tokens fed back: all but the last one sampled.
    std::vector<int32_t> held = joined(first, {a.tokens.begin(), a.tokens.end() - 1});
    const std::vector<int32_t> second = joined(joined(first, a.tokens), prompt_of(3, 2));
    Outcome b = turn(batch, second, 4, 1);
    EXPECT_EQ(b.stats.cached_tokens, static_cast<int64_t>(held.size())) << "window " << window;
    same_as_alone(b, second, 4, 1);

    Outcome other = turn(batch, prompt_of(7, 3), 3, 0);  // the other slot: the conversation stays
    EXPECT_EQ(other.stats.cached_tokens, 0);
    held = joined(second, {b.tokens.begin(), b.tokens.end() - 1});
    const std::vector<int32_t> third = joined(held, prompt_of(2, 4));
    Outcome c = turn(batch, third, 4, 0);
    EXPECT_EQ(c.stats.cached_tokens, static_cast<int64_t>(held.size())) << "window " << window;
    same_as_alone(c, third, 4, 0);

    // Back by more than step_tokens from what the slot holds: only without a window.
    held = joined(third, {c.tokens.begin(), c.tokens.end() - 1});
    const std::vector<int32_t> edited = joined({held.begin(), held.begin() + 8}, prompt_of(5, 6));
    const int64_t kept = common_prefix(held, edited);
    ASSERT_GT(static_cast<int64_t>(held.size()) - kept, step);
    Outcome d = turn(batch, edited, 3, 1);
    EXPECT_EQ(d.stats.cached_tokens, window ? 0 : kept) << "window " << window;
    same_as_alone(d, edited, 3, 1);

    // Back by fewer: reused with a window too.
    held = joined(edited, {d.tokens.begin(), d.tokens.end() - 1});
    const std::vector<int32_t> retried = joined({held.begin(), held.end() - 3}, prompt_of(4, 7));
    const int64_t shared = common_prefix(held, retried);
    ASSERT_LT(shared, static_cast<int64_t>(held.size()));
    Outcome e = turn(batch, retried, 3, 0);
    EXPECT_EQ(e.stats.cached_tokens, shared) << "window " << window;
    same_as_alone(e, retried, 3, 0);

    Outcome whole = turn(batch, joined(retried, {e.tokens.begin(), e.tokens.end() - 1}), 2, 0, /*reuse=*/false);
    EXPECT_EQ(whole.stats.cached_tokens, 0);
  }
}

TEST(BatchGenerator, AForgottenSlotHoldsNothingToReuse) {
  Model model(0, /*context=*/64, /*step=*/5);
  Executor ex = model.executor(2);
  BatchGenerator batch(ex, /*prefill_chunk=*/4);
  const std::vector<int32_t> first = prompt_of(6, 1);
  Outcome a = turn(batch, first, 5, 0);
  const std::vector<int32_t> second = joined(joined(first, a.tokens), prompt_of(3, 2));
  // The slot held the prompt and all but the last token sampled; the other slot nothing.
  int64_t held = static_cast<int64_t>(first.size() + a.tokens.size()) - 1;
  EXPECT_EQ(batch.forget(0) + batch.forget(1), held);
  Outcome b = turn(batch, second, 4, 1);
  EXPECT_EQ(b.stats.cached_tokens, 0);
  held = static_cast<int64_t>(second.size() + b.tokens.size()) - 1;
  EXPECT_EQ(batch.forget(0) + batch.forget(1), held);
  EXPECT_THROW(batch.forget(2), Error);
}

// A slot's cache saved to a file (its tokens and rows) and restored into another executor's
// slot: the next turn there reads only what the file does not hold, and its tokens are those
// of the whole prompt read from scratch, with or without a window's ring.
TEST(BatchGenerator, ARestoredSlotStartsTheNextTurnAsTheSavedOneWould) {
  for (int64_t window : {0, 4}) {
    Model model(window, /*context=*/64, /*step=*/5);
    Executor saver = model.executor(2);
    BatchGenerator before(saver, /*prefill_chunk=*/4);
    const std::vector<int32_t> first = prompt_of(6, 1);
    Outcome a = turn(before, first, 5, 0);
    const size_t slot = before.held(0).empty() ? 1 : 0;
    const std::vector<int32_t> held = before.held(slot);
    ASSERT_EQ(held.size(), first.size() + a.tokens.size() - 1);
    testing::TempDir dir;
    const std::string file = dir.file("slot.bin");
    const auto n = static_cast<int64_t>(held.size());
    write_kv_snapshot(file, 7, held, saver.kv_cache().sequence_bytes(static_cast<int64_t>(slot), n));

    Executor restorer = model.executor(2);
    BatchGenerator after(restorer, /*prefill_chunk=*/4);
    KvSnapshotRead read = read_kv_snapshot(file, {7, 64, AttentionModel::kVocab},
                                           [&](int64_t m) { return restorer.kv_cache().sequence_bytes(1, m); });
    EXPECT_EQ(read.tokens, held);
    after.hold(1, read.tokens);
    EXPECT_EQ(after.held(1), held);
    const std::vector<int32_t> second = joined(joined(first, a.tokens), prompt_of(3, 2));
    Outcome b = turn(after, second, 4, 1);
    EXPECT_EQ(b.stats.cached_tokens, n) << "window " << window;
    Outcome fresh = alone(model, second, 4, 1);
    EXPECT_EQ(b.tokens, fresh.tokens) << "window " << window;
    EXPECT_THROW(after.hold(2, held), Error);
    EXPECT_THROW(after.hold(0, std::vector<int32_t>(65, 1)), Error);  // past the context
  }
}

TEST(BatchGenerator, StopsAsGenerateStops) {
  Model model(0, 16, 4);
  Executor ex = model.executor(2);
  BatchGenerator batch(ex);
  std::vector<int32_t> stopped, at_context;
  GenerationStats stop_stats, context_stats;
  GenerateOptions o;
  o.max_tokens = 100;
  batch.add({prompt_of(3, 1), o,
             [&](int32_t t) {
               stopped.push_back(t);
               return stopped.size() < 2;  // the caller stops after two tokens
             },
             [&](const GenerationStats& st, const std::string&) { stop_stats = st; }});
  batch.add({prompt_of(10, 2), o,
             [&](int32_t t) {
               at_context.push_back(t);
               return true;
             },
             [&](const GenerationStats& st, const std::string&) { context_stats = st; }});
  while (batch.active() > 0) batch.step();
  EXPECT_EQ(stopped.size(), 2u);
  EXPECT_EQ(stop_stats.decode_tokens, 1);
  EXPECT_EQ(context_stats.end_pos, 16);  // the context's end
  EXPECT_EQ(at_context.size(), 7u);      // the prefill's token and 6 decode steps
  EXPECT_TRUE(batch.has_free_slot());
}

// A sequence whose client left ends at once, still reading its prompt: on_done, its slot
// free, and the sequence beside it makes the tokens it makes alone.
TEST(BatchGenerator, ACancelledSequenceEndsBeforeItsNextStep) {
  Model model(0, 48, 4);
  Executor ex = model.executor(2);
  BatchGenerator batch(ex, /*prefill_chunk=*/2);
  GenerateOptions o;
  o.max_tokens = 5;
  std::vector<int32_t> kept;
  bool cancelled_done = false;
  batch.add({prompt_of(3, 1),
             o,
             [&](int32_t t) {
               kept.push_back(t);
               return true;
             },
             {}});
  size_t slot = batch.add({prompt_of(20, 2), o, [](int32_t) { return true; },
                           [&](const GenerationStats& st, const std::string& error) {
                             EXPECT_EQ(error, "");
                             EXPECT_LT(st.end_pos, 20);  // its prompt not read whole
                             cancelled_done = true;
                           }});
  batch.step();
  batch.step();
  batch.cancel(slot);
  EXPECT_TRUE(cancelled_done);
  EXPECT_EQ(batch.active(), 1);
  EXPECT_TRUE(batch.has_free_slot());
  batch.cancel(slot);  // a free slot: nothing
  while (batch.active() > 0) batch.step();
  GenerateOptions alone_opts = o;
  std::vector<int32_t> want;
  Executor one = model.executor(1);
  generate(one, prompt_of(3, 1), alone_opts, [&](int32_t t) {
    want.push_back(t);
    return true;
  });
  EXPECT_EQ(kept, want);
}

TEST(BatchGenerator, RefusesWhatCannotRun) {
  Model model(0, 16, 4);
  Executor ex = model.executor(2);
  BatchGenerator batch(ex);
  GenerateOptions o;
  auto job = [&](std::vector<int32_t> prompt) {
    return BatchJob{std::move(prompt), o, [](int32_t) { return true; }, {}};
  };
  EXPECT_THROW(batch.add(job({})), Error);
  EXPECT_THROW(batch.add(job(prompt_of(17, 0))), Error);
  batch.add(job(prompt_of(2, 0)));
  batch.add(job(prompt_of(2, 1)));
  EXPECT_FALSE(batch.has_free_slot());
  EXPECT_THROW(batch.add(job(prompt_of(2, 2))), Error);
  Executor wide = model.executor(8);  // 8 slots cannot share a step of 4 rows
  EXPECT_THROW(BatchGenerator{wide}, Error);
}

// A job naming its slot (llama-server's id_slot) runs there, from what that slot holds, even
// when another free slot holds more of its prompt; a busy or missing slot is refused.
TEST(BatchGenerator, AJobRunsInTheSlotItNames) {
  Model model(0, /*context=*/32, /*step=*/4);
  Executor ex = model.executor(3);
  BatchGenerator batch(ex);
  GenerateOptions o;
  o.max_tokens = 2;
  auto job = [&](std::vector<int32_t> prompt, int64_t slot) {
    BatchJob j{std::move(prompt), o, [](int32_t) { return true; }, {}};
    j.slot = slot;
    return j;
  };
  const std::vector<int32_t> prompt = prompt_of(6, 1);
  EXPECT_EQ(batch.add(job(prompt, 2)), 2u);
  while (batch.active() > 0) batch.step();
  EXPECT_EQ(batch.add(job(prompt, 1)), 1u);  // not slot 2, which holds the prompt
  EXPECT_THROW(batch.add(job(prompt, 1)), Error);
  EXPECT_THROW(batch.add(job(prompt, 3)), Error);
  EXPECT_EQ(batch.add(job(prompt, -1)), 2u);  // any: the one holding the prompt
}

// A constraint that allows one token a step, from a script, and is complete after the
// last; it can also leave no token (`empty_at`) or refuse what it allowed (`refuse_at`).
struct Scripted final : TokenConstraint {
  std::vector<int32_t> script;
  size_t at = 0, empty_at = SIZE_MAX, refuse_at = SIZE_MAX;
  std::vector<int32_t>* accepted;
  Scripted(std::vector<int32_t> s, std::vector<int32_t>* log) : script(std::move(s)), accepted(log) {}
  bool mask(std::span<float> logits) override {
    for (size_t id = 0; id < logits.size(); ++id)
      if (static_cast<int32_t>(id) != script[at] || at == empty_at) logits[id] = -INFINITY;
    return at != empty_at;
  }
  bool accept(int32_t token) override {
    accepted->push_back(token);
    return at++ != refuse_at;
  }
  bool complete() const override { return at == script.size(); }
};

TEST(BatchGenerator, AConstraintPicksTheTokensAndEndsTheSequence) {
  Model model(0, 32, 4);
  Executor ex = model.executor(2);
  BatchGenerator batch(ex);
  const std::vector<int32_t> script = {5, 1, 14, 2};
  struct Run {
    std::vector<int32_t> tokens, accepted;
    GenerationStats stats;
    std::string error;
  };
  auto run = [&](size_t empty_at, size_t refuse_at, float temperature, int64_t max_tokens = 10) {
    Run r;
    GenerateOptions o;
    o.max_tokens = max_tokens;
    o.sampling.temperature = temperature;
    BatchJob job{prompt_of(3, 1), o,
                 [&](int32_t t) {
                   r.tokens.push_back(t);
                   return true;
                 },
                 [&](const GenerationStats& st, const std::string& error) {
                   r.stats = st;
                   r.error = error;
                 }};
    auto c = std::make_unique<Scripted>(script, &r.accepted);
    c->empty_at = empty_at;
    c->refuse_at = refuse_at;
    job.constraint = std::move(c);
    batch.add(std::move(job));
    while (batch.active() > 0) batch.step();
    return r;
  };
  for (float temperature : {0.0f, 1.5f}) {
    Run whole = run(SIZE_MAX, SIZE_MAX, temperature);
    EXPECT_EQ(whole.tokens, script);  // its last token ends it, well before max_tokens
    EXPECT_EQ(whole.accepted, script);
    EXPECT_TRUE(whole.stats.hit_eog);
    EXPECT_EQ(whole.error, "");
  }
  // Whole on the budget's last token: closed to fit max_tokens, it ends by length.
  Run at_limit = run(SIZE_MAX, SIZE_MAX, 0, static_cast<int64_t>(script.size()));
  EXPECT_EQ(at_limit.tokens, script);
  EXPECT_FALSE(at_limit.stats.hit_eog);
  Run stuck = run(2, SIZE_MAX, 0);
  EXPECT_EQ(stuck.tokens, (std::vector<int32_t>{5, 1}));
  EXPECT_EQ(stuck.error, "");
  EXPECT_TRUE(stuck.stats.constraint_stuck);
  EXPECT_FALSE(stuck.stats.hit_eog);
  Run refused = run(SIZE_MAX, 1, 0);
  EXPECT_EQ(refused.tokens, (std::vector<int32_t>{5}));
  EXPECT_NE(refused.error.find("breaks the constrained output"), std::string::npos) << refused.error;
  EXPECT_TRUE(batch.has_free_slot());
}

// Log-probabilities come from the row the token was drawn from: under a constraint that
// leaves one token, that token is certain and every other one has the floor.
TEST(BatchGenerator, LogprobsComeWithEachTokenFromTheRowItWasDrawnFrom) {
  Model model(0, 32, 4);
  Executor ex = model.executor(2);
  BatchGenerator batch(ex);
  const std::vector<int32_t> script = {5, 1, 14};
  std::vector<int32_t> tokens, accepted;
  std::vector<StepLogprobs> logprobs;
  GenerateOptions o;
  o.max_tokens = 10;
  o.sampling.temperature = 0.7f;
  BatchJob job{prompt_of(3, 1),
               o,
               [&](int32_t t) {
                 tokens.push_back(t);
                 return true;
               },
               {}};
  job.constraint = std::make_unique<Scripted>(script, &accepted);
  job.top_logprobs = 2;
  job.on_logprobs = [&](const StepLogprobs& lp) { logprobs.push_back(lp); };
  batch.add(std::move(job));
  while (batch.active() > 0) batch.step();
  ASSERT_EQ(tokens, script);
  ASSERT_EQ(logprobs.size(), script.size());
  for (size_t i = 0; i < script.size(); ++i) {
    EXPECT_EQ(logprobs[i].chosen.token, script[i]);
    EXPECT_FLOAT_EQ(logprobs[i].chosen.logprob, 0.0f);
    ASSERT_EQ(logprobs[i].top.size(), 2u);
    EXPECT_EQ(logprobs[i].top[0].token, script[i]);
    EXPECT_EQ(logprobs[i].top[1].logprob, kLowestLogprob);
  }
}

}  // namespace
}  // namespace lmc::runtime
