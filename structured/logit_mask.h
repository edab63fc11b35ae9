// A token mask (one bit per id, token_trie_walk.h) applied to a logits row: what a
// TokenConstraint's mask() does once it knows which tokens may come next.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

namespace lmc::structured {

// Sets to -inf the logit of every token whose bit is clear, and of every id of the row
// past the vocabulary's `vocab` tokens. False when no bit is set.
bool ban_unallowed(const std::vector<uint64_t>& allowed, size_t vocab, std::span<float> logits);

}  // namespace lmc::structured
