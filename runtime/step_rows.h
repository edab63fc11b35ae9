// The rows of one graph run and the checks made on them before any kernel runs. A row's
// ids are trusted by the kernels: an embedding reads the table row its token names, rope,
// kv_write and attention index the KV cache by position and sequence slot, none of them
// bounds-checked. So the graph arguments that carry ids are fixed by name (`tokens`,
// `positions`, `seq`, `key_ends`, each i32[T]) and every run's ids are checked here first, whether
// the model's executor or a graph run (runtime/graph_runner.h) feeds them.
#pragma once
#include <cstdint>
#include <vector>

#include "ir/graph.h"

namespace lmc::runtime {

// The rows of one step: row t is token tokens[t] of sequence seqs[t] at position
// positions[t]. Rows of several sequences share the step (batched decode, a prefill
// chunk beside decodes); the rows of one sequence hold consecutive positions in order.
// A graph run leaves out (nullptr) the ids its graph has no argument for: no seqs means
// every row is sequence 0. key_ends[t]: the last key position row t attends to, from its
// own position (causal) up to its sequence's last row of the step (an image's tokens see
// each other, Gemma 3); nullptr: each row's own position.
struct StepRows {
  const int32_t* tokens;
  const int32_t* positions;
  const int32_t* seqs;
  int64_t T;
  const int32_t* key_ends = nullptr;
};

// What the ids of a row may be.
struct RowLimits {
  int64_t tokens = INT32_MAX;     // rows of the smallest table the tokens index
  int64_t positions = INT32_MAX;  // the context, or fewer rows of a table read by position
  int64_t sequences = 1;          // sequence slots of the KV caches
};

// Whether `arg` is one of the graph arguments that carry a row's ids.
bool is_row_ids(const ir::Value& arg);

// Throws lmc::Error "<graph>: error: ..." when an argument named tokens, positions or seq is
// not i32[T].
void check_row_arguments(const ir::Graph& g);

// The limits of `g`'s ids: a token (a position) must name a row of every table an op
// gathers rows from by the graph's `tokens` (`positions`) argument, a position must fit the
// context, a sequence must be one of `sequences`.
RowLimits row_limits(const ir::Graph& g, int64_t context, int64_t sequences);

// Throws lmc::Error "runtime: error: row <t>: ..." unless every id is within `limits` and the
// rows of each sequence hold consecutive positions in order. `next_position` is scratch,
// resized to one entry per sequence, kept by the caller so that a step allocates nothing.
void check_rows(const StepRows& rows, const RowLimits& limits, std::vector<int32_t>& next_position);

}  // namespace lmc::runtime
