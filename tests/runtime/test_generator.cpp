#include <gtest/gtest.h>

#include <algorithm>

#include "attention_graph.h"
#include "runtime/draft_model.h"
#include "runtime/generator.h"
#include "runtime/prompt_lookup.h"
#include "support/error.h"

namespace lmc::runtime {
namespace {

using testing::AttentionModel;

struct TinyModel {
  AttentionModel m{/*window=*/4, /*context=*/24, /*step_tokens=*/3};
  testing::Kernels k = testing::jit_kernels(m.g);
  Executor ex{m.g, k.table, m.w, m.info(), options()};
  static ExecutorOptions options() {
    ExecutorOptions o;
    o.threads = 2;
    o.max_logit_rows = 3;
    return o;
  }
};

int32_t argmax(const std::vector<float>& row) {
  return static_cast<int32_t>(std::max_element(row.begin(), row.end()) - row.begin());
}

GenerateOptions budget(int64_t max_tokens) {
  GenerateOptions o;
  o.max_tokens = max_tokens;
  return o;
}

std::vector<int32_t> prompt_of(int64_t n) {
  std::vector<int32_t> p;
  for (int64_t i = 0; i < n; ++i) p.push_back(static_cast<int32_t>(i * 3 % AttentionModel::kVocab));
  return p;
}

// A 10-token prompt goes through in chunks of 3, 3, 3, 1 rows; every prompt row's
// logits and every greedy token must match the reference attention.
TEST(Generator, ChunkedPrefillThenGreedyDecode) {
  TinyModel s;
  auto prompt = prompt_of(10);
  GenerateOptions o;
  o.max_tokens = 6;
  o.all_logits = true;
  std::vector<int64_t> seen_positions;
  std::vector<int32_t> seq = prompt;  // prompt, then each token as it is streamed
  o.on_logits = [&](int64_t p, const float* row) {
    seen_positions.push_back(p);
    auto want = s.m.reference(seq, p);
    for (size_t d = 0; d < want.size(); ++d) ASSERT_NEAR(row[d], want[d], 2e-5) << "position " << p;
  };
  std::vector<int32_t> out;
  GenerationStats st = generate(s.ex, prompt, o, [&](int32_t t) {
    out.push_back(t);
    seq.push_back(t);
    return true;
  });
  // Ten prompt rows, then one row per decode step.
  ASSERT_EQ(seen_positions.size(), 15u);
  for (size_t i = 0; i < seen_positions.size(); ++i) EXPECT_EQ(seen_positions[i], static_cast<int64_t>(i));

  std::vector<int32_t> history = prompt, want;
  for (int i = 0; i < 6; ++i) {
    want.push_back(argmax(s.m.reference(history, static_cast<int64_t>(history.size()) - 1)));
    history.push_back(want.back());
  }
  EXPECT_EQ(out, want);
  EXPECT_EQ(st.prompt_tokens, 10);
  EXPECT_EQ(st.decode_tokens, 5);
  EXPECT_EQ(st.end_pos, 15);
  EXPECT_FALSE(st.hit_eog);
  EXPECT_GT(st.prefill_seconds, 0);
}

TEST(Generator, StopsAtEndOfGenerationAndWhenTheCallbackSaysSo) {
  TinyModel s;
  std::vector<int32_t> first;
  generate(s.ex, prompt_of(4), budget(1), [&](int32_t t) {
    first.push_back(t);
    return true;
  });
  ASSERT_EQ(first.size(), 1u);

  s.ex.reset();
  GenerateOptions o;
  o.is_eog = [&](int32_t t) { return t == first[0]; };
  int calls = 0;
  GenerationStats st = generate(s.ex, prompt_of(4), o, [&](int32_t) { return ++calls, true; });
  EXPECT_TRUE(st.hit_eog);
  EXPECT_EQ(calls, 0) << "the end-of-generation token is not streamed";

  s.ex.reset();
  st = generate(s.ex, prompt_of(4), budget(50), [&](int32_t) { return ++calls < 3; });
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(st.decode_tokens, 2);
}

TEST(Generator, StopsAtTheEndOfTheContext) {
  TinyModel s;
  int calls = 0;
  GenerationStats st = generate(s.ex, prompt_of(20), budget(100), [&](int32_t) { return ++calls, true; });
  EXPECT_EQ(st.end_pos, 24);
  EXPECT_EQ(calls, 5);
}

TEST(PromptLookup, DraftsWhatFollowedTheLatestMatch) {
  const std::vector<int32_t> h{1, 2, 3, 9, 1, 2, 3, 7, 5, 1, 2, 3};
  EXPECT_EQ(prompt_lookup_draft(h, 3), (std::vector<int32_t>{7, 5, 1}));  // the latest [1 2 3], not the first
  EXPECT_EQ(prompt_lookup_draft(h, 2), (std::vector<int32_t>{7, 5}));
  EXPECT_EQ(prompt_lookup_draft(h, 0), std::vector<int32_t>{});
  const std::vector<int32_t> shorter{4, 7, 4};  // no [7 4] before the end: the 1-gram [4] matches,
  EXPECT_EQ(prompt_lookup_draft(shorter, 3), (std::vector<int32_t>{7}));  // weak evidence: one token
  EXPECT_EQ(prompt_lookup_draft(std::vector<int32_t>{4, 7, 4, 9}, 3), std::vector<int32_t>{});
  EXPECT_EQ(prompt_lookup_draft(std::vector<int32_t>{5}, 3), std::vector<int32_t>{});
}

// Speculative decoding keeps plain decoding's tokens, logits rows and cache position
// while running fewer steps: a row's numbers do not depend on the rows beside it.
TEST(Generator, SpeculativeDecodingGivesPlainDecodingsTokensAndLogits) {
  struct Run {
    std::vector<int32_t> tokens;
    std::vector<std::vector<float>> logits;
    GenerationStats stats;
  };
  auto run = [](int64_t draft) {
    TinyModel s;
    Run r;
    GenerateOptions o = budget(20);
    o.draft_max = draft;
    o.all_logits = true;
    o.on_logits = [&r](int64_t, const float* row) { r.logits.emplace_back(row, row + AttentionModel::kVocab); };
    r.stats = generate(s.ex, {1, 2, 3, 1, 2, 3, 1, 2}, o, [&](int32_t t) {
      r.tokens.push_back(t);
      return true;
    });
    return r;
  };
  Run plain = run(0), spec = run(2);
  EXPECT_EQ(spec.tokens, plain.tokens);
  EXPECT_EQ(spec.logits, plain.logits);
  EXPECT_EQ(spec.stats.end_pos, plain.stats.end_pos);
  EXPECT_EQ(spec.stats.decode_tokens, plain.stats.decode_tokens);
  EXPECT_GT(spec.stats.accepted, 0);
  EXPECT_EQ(spec.stats.decode_steps, spec.stats.decode_tokens - spec.stats.accepted);
  EXPECT_EQ(plain.stats.drafted, 0);
}

// The greedy continuation of `history` by a fresh tiny model with attention window w.
std::vector<int32_t> greedy_text(std::vector<int32_t> history, int64_t n, int64_t window) {
  AttentionModel m{window, /*context=*/24, /*step_tokens=*/3};
  testing::Kernels k = testing::jit_kernels(m.g);
  Executor ex{m.g, k.table, m.w, m.info(), TinyModel::options()};
  std::vector<int32_t> out;
  generate(ex, std::move(history), budget(n), [&](int32_t t) {
    out.push_back(t);
    return true;
  });
  return out;
}

// A draft model guesses its own greedy text, also after the text left its last guess
// (its cache is rewound to where they part).
TEST(DraftModel, GuessesItsOwnGreedyText) {
  TinyModel d;
  DraftModel draft(d.ex);
  std::vector<int32_t> h{1, 2, 3, 1, 2};
  std::vector<int32_t> want = greedy_text(h, 3, 4);
  EXPECT_EQ(draft.draft(h, 3), want);
  h.push_back(want[0]);
  h.push_back(static_cast<int32_t>((want[1] + 1) % AttentionModel::kVocab));  // not its guess
  EXPECT_EQ(draft.draft(h, 2), greedy_text(h, 2, 4));
  EXPECT_EQ(draft.draft(h, 0), std::vector<int32_t>{});
  EXPECT_EQ(draft.draft(std::vector<int32_t>(24, 1), 2), std::vector<int32_t>{});  // no room in its context
}

// Guesses from another model (a narrower attention window) keep the model's own tokens:
// the agreeing ones save steps, the others are rejected.
TEST(Generator, DraftModelKeepsTheModelsTokens) {
  TinyModel target;
  AttentionModel dm{/*window=*/2, /*context=*/24, /*step_tokens=*/3};
  testing::Kernels dk = testing::jit_kernels(dm.g);
  Executor dex{dm.g, dk.table, dm.w, dm.info(), TinyModel::options()};
  DraftModel draft(dex);
  GenerateOptions o = budget(14);
  o.draft_max = 2;
  o.drafter = [&](std::span<const int32_t> h, int64_t n) { return draft.draft(h, n); };
  std::vector<int32_t> prompt{1, 2, 3, 1, 2, 3, 1, 2}, got;
  GenerationStats st = generate(target.ex, prompt, o, [&](int32_t t) {
    got.push_back(t);
    return true;
  });
  EXPECT_EQ(got, greedy_text(prompt, 14, 4));
  EXPECT_GT(st.drafted, 0);
  EXPECT_EQ(st.decode_steps, st.decode_tokens - st.accepted);
}

TEST(Generator, SpeculativeDecodingNeedsTheRows) {
  TinyModel s;
  GenerateOptions o = budget(4);
  o.draft_max = 3;  // 4 rows; the executor returns 3
  EXPECT_THROW(generate(s.ex, {1, 2, 1}, o, [](int32_t) { return true; }), Error);
}

// Sampling with drafts: the kept tokens follow the sampler's rule, step after step.
TEST(Generator, SpeculativeSamplingRunsToItsBudget) {
  TinyModel s;
  GenerateOptions o = budget(12);
  o.draft_max = 2;
  o.sampling.temperature = 0.7f;
  o.sampling.seed = 5;
  std::vector<int32_t> got;
  GenerationStats st = generate(s.ex, {1, 2, 3, 1, 2, 3, 1, 2}, o, [&](int32_t t) {
    got.push_back(t);
    return true;
  });
  EXPECT_EQ(got.size(), 12u);
  EXPECT_GT(st.drafted, 0);
  EXPECT_EQ(st.decode_steps, st.decode_tokens - st.accepted);
}

// A prompt whose first tokens are already in the cache (a prompt cache's, start_pos) and
// named (cached_tokens) generates what the whole prompt read from scratch generates: the
// penalties see the cached tokens as history too.
TEST(Generator, CachedTokensAreHistoryAsIfReadWithThePrompt) {
  TinyModel whole, part;
  const std::vector<int32_t> prompt = prompt_of(10);
  GenerateOptions o = budget(8);
  o.sampling.repetition_penalty = 1.5f;
  o.sampling.frequency_penalty = 0.5f;
  std::vector<int32_t> want, got;
  generate(whole.ex, prompt, o, [&](int32_t t) {
    want.push_back(t);
    return true;
  });
  const std::vector<int32_t> head(prompt.begin(), prompt.begin() + 6), rest(prompt.begin() + 6, prompt.end());
  generate(part.ex, head, budget(1), [](int32_t) { return true; });  // the head's rows, nothing fed after
  GenerateOptions cont = o;
  cont.start_pos = 6;
  cont.cached_tokens = head;
  GenerationStats st = generate(part.ex, rest, cont, [&](int32_t t) {
    got.push_back(t);
    return true;
  });
  EXPECT_EQ(got, want);
  EXPECT_EQ(st.prompt_tokens, 4);
  cont.cached_tokens.pop_back();  // not start_pos of them
  EXPECT_THROW(generate(part.ex, rest, cont, [](int32_t) { return true; }), Error);
}

TEST(Generator, PromptLongerThanTheContextIsAnError) {
  TinyModel s;
  try {
    generate(s.ex, prompt_of(25), {}, [](int32_t) { return true; });
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("does not fit the context of 24"), std::string::npos) << e.what();
  }
  EXPECT_THROW(generate(s.ex, {}, {}, [](int32_t) { return true; }), Error);
}

}  // namespace
}  // namespace lmc::runtime
