// Checks that a lowered model, its tokenizer and its context fit together, at compile
// time: every token id the tokenizer can produce must be a row of the token embedding,
// and every position up to the context a row of a learned position table. Otherwise the
// model fails mid-run (after printing the prompt), or an embedding clamps its index and
// silently reads the wrong row.
#pragma once
#include "models/lowering.h"
#include "models/tokenizer/tokenizer.h"

namespace lmc::models {

// Throws lmc::Error naming the model definition and the table that is too short.
void check_embedding_ranges(const LoweredModel& m, const Tokenizer& tokenizer);

}  // namespace lmc::models
