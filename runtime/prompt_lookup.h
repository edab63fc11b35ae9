// Prompt-lookup drafting for speculative decoding: text often repeats itself (code,
// quotes, a document being summarized), so the tokens that followed the latest earlier
// occurrence of the text's last n tokens are a cheap guess at what comes next. No
// second model: the guess is checked by the model itself (generator.h).
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace lmc::runtime {

// Up to `max_draft` tokens (one when only the last token matches) that followed the most
// recent earlier occurrence of the history's last n tokens, for the longest n <= max_ngram
// that occurs; empty when none does. O(history * max_ngram) per call.
std::vector<int32_t> prompt_lookup_draft(std::span<const int32_t> history, int64_t max_draft, int64_t max_ngram = 3);

}  // namespace lmc::runtime
