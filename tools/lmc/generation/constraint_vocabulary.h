// A model's tokenizer as structured output's vocabulary (structured/token_vocabulary.h):
// the bytes each token writes as `lmc serve` streams them (Tokenizer::token_text), none
// for the tokens that write no text (control, unknown, unused), and its end-of-generation
// tokens. Built once per model: its tries take a moment for a large vocabulary.
#pragma once
#include <memory>

#include "models/tokenizer/tokenizer.h"
#include "structured/token_vocabulary.h"

namespace lmc::tools {

std::shared_ptr<const structured::TokenVocabulary> constraint_vocabulary(const models::Tokenizer& tok);

}  // namespace lmc::tools
