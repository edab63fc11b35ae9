// What a model's tokenizer bounds in generation, for every command that generates: its
// end-of-generation tokens stop it, and only its tokens are sampled. The output matrix may
// have rows past the tokenizer (Phi-3's 32064 for 32011 tokens, Qwen2.5's padding to a
// multiple of 128); a row without a token must never be picked, whatever its logit. And
// DRY's sequence breakers are read in its tokens.
#pragma once
#include "models/tokenizer/tokenizer.h"
#include "runtime/generator.h"

namespace lmc::tools {

// `tok` must outlive the options' use (is_eog refers to it).
void bound_by_tokenizer(runtime::GenerateOptions& g, const models::Tokenizer& tok);

}  // namespace lmc::tools
