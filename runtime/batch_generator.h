// Continuous batching: several generations share the executor's steps, joining and
// leaving while the others run. Each active sequence owns one of the executor's
// sequence slots (its KV caches, ExecutorOptions::sequences). A step is either one row
// of every decoding sequence — the weights are streamed once for all of them — or a
// chunk of at most `prefill_chunk` rows of the oldest sequence still reading its
// prompt; while both wait they take turns, so a long prompt is read over several
// steps and the other streams keep producing a token every other step.
//
// Prompt chunks do not share a step with decode rows, so that each row's numbers do
// not depend on who else is running: an f32-weight linear takes its decode path below
// kPrefillMinRows rows and the FMA GEMM from there, which sums in another order (block
// weights sum alike on both paths), so mixing a chunk into a step would move the decode
// rows to the other path. Prompts are chunked as generate() chunks them alone, and
// decode rows stay on the decode path while fewer than kPrefillMinRows sequences run:
// each sequence's tokens are then exactly those it gets alone (with block weights at
// any number of sequences). Each samples from its own logits rows with its own
// Sampler, as generate() does.
//
// A job may carry a TokenConstraint (structured output): its sequence samples from a copy
// of its row that the constraint masked, hands it each token, and ends as at an
// end-of-generation token once the constraint is complete. The batch generator does not
// draft tokens, so a constraint never has to judge a drafted one.
//
// Prefix reuse: a slot's cache still holds the tokens of the sequence that last ran in it
// when it ends. A new sequence takes the free slot holding the longest prefix of its
// prompt and prefills only the rest (a chat's next turn resends the conversation, whose
// history that slot holds); without any, the slot used least recently, so the caches of
// recent conversations stay. Going back from what a slot holds to the shared prefix moves
// a position, not rows — allowed up to the executor's rollback_limit (a sliding window's
// ring keeps step_tokens rows of slack), past it the prompt is prefilled whole. The rows
// reused are the rows the prompt would compute (same tokens at the same positions), so
// the sequence's tokens do not change.
//
// KV pages (ExecutorOptions::kv_unified): the slots share one pool of pages. A sequence
// takes its prompt's pages when it starts and one more page whenever it decodes past its
// last; a free slot's cache keeps its pages for prefix reuse until the pool runs short, and
// then gives them back, the slot used least recently first. Sliding windows' pages come from
// a pool of their own: a sequence takes those of each step's window and lets go of those
// behind it. Without rings (windows paged or none), the whole pages of every prompt read and every sequence ended go to
// a prefix tree (runtime/kv_prefix_tree.h), which any slot's prompt that starts alike shares instead of reading them
// again: when it starts, and again before it reads its first chunk, since a prompt that came with it may have been read
// in the meantime (eight requests that share a system prompt read it once). A page is written only by the one sequence
// holding it: a slot whose own cache holds more of a prompt than whole shared pages copies the page it goes on writing
// in first (copy-on-write). The tree's pages that nothing else holds go back to the pool, the least recently used
// first, before the free slots' caches. A running sequence's pages are never taken: a sequence that finds none waits,
// its decode rows left out of the steps, while others run; when every running sequence waits, the one that started last
// ends with llama-server's error for a full cache, and its pages go to the others.
//
// Images (BatchJob::images): a prompt's image rows are read from their embeddings, each image
// within one prefill chunk (runtime/prompt_embeddings.h). An image's soft tokens are one
// placeholder id whatever the image, so nothing is shared past a prompt's first image: it
// reuses no cached rows from there, and offers none to a slot's next prompt or the prefix tree.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "runtime/executor.h"
#include "runtime/generator.h"
#include "runtime/kv_prefix_tree.h"
#include "runtime/prompt_embeddings.h"
#include "runtime/sampler.h"
#include "runtime/token_constraint.h"
#include "runtime/token_logprobs.h"

namespace lmc::runtime {

struct BatchJob {
  std::vector<int32_t> prompt;
  // max_tokens, sampling and is_eog apply; start_pos must be 0 (a slot starts empty).
  // With all_logits, on_logits receives every prompt row's and decode step's logits.
  GenerateOptions opts;
  std::function<bool(int32_t)> on_token;  // false: the sequence ends
  // Once, when the sequence ends: `error` is empty, or says why the step failed.
  std::function<void(const GenerationStats&, const std::string& error)> on_done;
  // Start from a prefix of the prompt a free slot's cache holds (never with all_logits:
  // the reused rows' logits are not computed again).
  bool reuse_prefix = true;
  // The slot to run in (llama-server's id_slot), which must be free; -1: the free slot holding
  // the longest prefix of the prompt, else the one used least recently.
  int64_t slot = -1;
  // What the sequence may generate; empty: the one opts.constraint makes, if any, else
  // anything. A row the constraint leaves no token in ends the sequence where it is
  // (GenerationStats::constraint_stuck); a token it refuses ends it with an error.
  std::unique_ptr<TokenConstraint> constraint{};
  // With top_logprobs >= 0, each token's log-probability and that many alternatives'
  // (runtime/token_logprobs.h), just before its on_token.
  int64_t top_logprobs = -1;
  // Those of the distribution the token was drawn from, after the sampler's cuts
  // (drawn_logprobs: llama-server's post_sampling_probs), not the model's.
  bool post_sampling = false;
  std::function<void(const StepLogprobs&)> on_logprobs{};
  // Where reading the prompt stands (llama-server's return_progress): when the sequence starts
  // (`read` 0) and after each step that reads part of it; `cached` rows came from the slot's
  // cache, `read` were read since, `seconds` since it started.
  std::function<void(int64_t cached, int64_t read, double seconds)> on_prompt_progress{};
  // The prompt's images: rows read from embeddings, none longer than a prefill chunk.
  PromptImages images{};
};

// What of a prompt a cache holding `held` spares reading: their common prefix, less the
// prompt's last token (its logits start the generation), or nothing when going back to it
// is more than the caches allow (a sliding window's ring is past it).
int64_t reusable_prefix(const std::vector<int32_t>& held, const std::vector<int32_t>& prompt, int64_t rollback_limit);

class BatchGenerator {
 public:
  // prefill_chunk: most prompt rows one step reads (0: the model's step_tokens). Throws
  // lmc::Error when the executor cannot hold one row of every slot in a step or return
  // that many logits rows (step_tokens and max_logit_rows below its sequence slots).
  explicit BatchGenerator(Executor& ex, int64_t prefill_chunk = 0);
  ~BatchGenerator();
  BatchGenerator(const BatchGenerator&) = delete;
  BatchGenerator& operator=(const BatchGenerator&) = delete;

  bool has_free_slot() const;
  // Whether a prompt that fits the context must wait for KV pages the running sequences
  // hold: the free ones, those the free slots' caches and the prefix tree hold and the shared
  // ones it starts with are too few, which add() would take. Never without a pool.
  bool waits_for_pages(const std::vector<int32_t>& prompt) const;
  // The pool's pages: in all, held by a slot or the prefix tree, held by the tree, held by a
  // running sequence (each shared page once); the sliding windows' pool's alike; the bytes
  // of a page of each. Zeros without a pool. The pages used but not running are cache (the
  // tree's, idle slots'), which a request that lacks pages takes back (free_pages_for).
  struct PageCounts {
    int64_t pages = 0, used = 0, prefix_tree = 0, running = 0;
    int64_t window_pages = 0, window_used = 0, window_prefix_tree = 0, window_running = 0;
    uint64_t page_bytes = 0, window_page_bytes = 0;
    int64_t window = 0;  // the longest sliding window
  };
  PageCounts page_counts() const;
  // The KV pages `slot` holds (running a sequence or not), and how many of them others (a
  // slot, the prefix tree) hold too.
  std::pair<int64_t, int64_t> slot_pages(size_t slot) const;
  int64_t active() const;
  // Takes a free slot for the job (its own when it names one). Throws lmc::Error when there
  // is none (or the one it names runs a sequence), the prompt is empty, does not fit the
  // context or does not get its KV pages, start_pos is not 0, or an image is longer than a
  // prefill chunk.
  size_t add(BatchJob job);  // the slot it took
  // One executor step over the active sequences (nothing when there are none); calls
  // their on_token, and on_done for those that end. Returns the rows it ran. When the
  // executor throws, every active sequence ends with the error (on_done) and the slots
  // are free again; an exception from a callback propagates.
  int64_t step();
  // Ends the sequence in `slot` now, as its on_token returning false would (its on_done is
  // called, the slot is free): one whose client left is read and decoded no further, though
  // it still reads its prompt. Nothing when the slot is free.
  void cancel(size_t slot);
  // Forgets what the free `slot`'s cache holds (llama-server's slot erase), so no prompt
  // starts from it, and the prefix tree the prompts that start with its first page; returns
  // how many tokens it held. Throws lmc::Error when the slot runs a
  // sequence.
  int64_t forget(size_t slot);
  // The tokens the free `slot`'s cache holds, whose rows are the executor's
  // kv_cache().sequence_bytes(slot, their count): what a snapshot saves
  // (runtime/kv_snapshot.h). Throws lmc::Error as forget().
  const std::vector<int32_t>& held(size_t slot) const;
  // The free `slot`'s cache holds `tokens` now, their rows written there by the caller (a
  // restored snapshot), and prompts start from them as from a sequence that just ended in
  // it. Throws lmc::Error as forget(), or when they do not fit the context.
  void hold(size_t slot, std::vector<int32_t> tokens);
  // Forgets what the free `slot` holds and hands out the bytes of its cache for positions
  // [0, tokens) (KvCache::sequence_bytes), with the KV pages they need, taken back from
  // the other free slots' caches when the pool is short: where a snapshot's rows are read
  // before hold(). Throws lmc::Error as forget(), or when the pool cannot give them.
  std::vector<std::span<std::byte>> restore_bytes(size_t slot, int64_t tokens);

 private:
  struct Sequence;
  int64_t prefill_step(Sequence& s);
  int64_t decode_step(const std::vector<Sequence*>& decoding);
  // The executor's step; when it throws, every active sequence ends with the error.
  const float* run(const StepRows& rows, int64_t L);
  void take(Sequence& s, const float* row);  // samples the sequence's next token
  void finish(Sequence& s, const std::string& error = "");
  // The free slot a job starts in, and the prompt tokens its cache already holds.
  std::pair<size_t, int64_t> pick_slot(const BatchJob& job) const;
  int64_t reusable(size_t slot, const std::vector<int32_t>& prompt) const;
  void check_free(size_t slot) const;  // throws unless `slot` is a slot that runs nothing
  // Gives `slot` the pages of positions [0, positions) from the pool (free_pages_for); false
  // when too few are free. True without a pool.
  bool take_pages(size_t slot, int64_t positions);
  // The window pages `slot` reads and writes in a step of its positions [pos, end), those
  // before let go of (KvCache::window_first_page); false when too few are free. True
  // without windows.
  bool take_window_pages(size_t slot, int64_t pos, int64_t end);
  // Frees pages until `n` are, and `window_n` of the window pool: the prefix tree's that
  // nothing else holds, then the free slots' caches (but `slot`'s), the least recently used
  // first; false when that is not enough.
  bool free_pages_for(size_t slot, int64_t n, int64_t window_n = 0);
  // Makes `slot`'s page `page` of `pool` (the window pool's with `window`) its own, a copy of
  // a shared one: false when no page is free for it.
  bool own_page(size_t slot, KvPagePool& pool, bool window, int64_t page);
  // Where `slot`, holding `cached` tokens of `job`'s prompt, starts reading it: past the
  // whole pages of the prefix tree that the prompt starts with when they are more, `slot`'s
  // first pages pointed at them. The page it writes next is made its own (a copy of a
  // shared one), or, with no page free for the copy, it goes back to that page's start.
  int64_t share_prefix(size_t slot, const BatchJob& job, int64_t cached);
  // Offers the whole pages of `tokens`, the first ones `slot` holds, to the prefix tree
  // (KvPrefixTree::insert's `trim`: not for a prompt read, whose next prompts may part from
  // it anywhere, only when its sequence ends).
  void offer_pages(size_t slot, std::span<const int32_t> tokens, bool trim = true);
  // Decode rows that have their pages (take_pages) go on; the others wait, and when all of
  // them would and no prompt waits to be read, the one that started last ends.
  std::vector<Sequence*> with_pages(const std::vector<Sequence*>& decoding, bool prefill_waits);
  void drop_held(size_t slot);  // forgets the free slot's cache, and gives back its pages

  // What each slot's cache holds from the sequence that last ended in it (empty after an
  // error), and when it ended.
  struct Held {
    std::vector<int32_t> tokens;
    int64_t ended = -1;
    int64_t beyond = 0;  // rows written past `tokens` (from a prompt's first image on), gone back over
  };

  Executor& ex_;
  KvPagePool* pool_;  // the executor's, or nullptr
  KvPagePool* window_pool_;  // the executor's sliding windows', or nullptr
  // With a pool and no rings; the executor's caches are not reset while it lives.
  std::unique_ptr<KvPrefixTree> tree_;
  int64_t prefill_chunk_;
  std::vector<std::unique_ptr<Sequence>> slots_;  // index = the executor's sequence slot
  std::vector<Held> held_;  // by slot
  int64_t ended_ = 0;  // sequences ended so far
  int64_t next_arrival_ = 0;  // orders prompts: the oldest prefills first
  bool prefill_turn_ = false;
};

}  // namespace lmc::runtime
