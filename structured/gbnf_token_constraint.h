// A GBNF grammar (gbnf_grammar.h) as the runtime's TokenConstraint: one request's answer,
// which must be text of the grammar, matched token by token against a model's vocabulary.
// The mask walks the vocabulary's trie (token_trie_walk.h) with the matcher
// (gbnf_matcher.h); the end-of-generation tokens are allowed once the root is matched, and
// the answer ends by itself when nothing more may follow. A grammar's loops (free text, a
// list's items) come back to states met before: their masks are kept (a few dozen) and
// read again rather than walked. Unlike the JSON constraint
// there is no token budget: a grammar's shortest way to its end is not bounded in
// general, so an answer may stop at its length limit unfinished.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/token_constraint.h"
#include "structured/gbnf_grammar.h"
#include "structured/gbnf_matcher.h"
#include "structured/token_vocabulary.h"

namespace lmc::structured {

class GbnfTokenConstraint final : public runtime::TokenConstraint {
 public:
  GbnfTokenConstraint(std::shared_ptr<const GbnfGrammar> grammar, std::shared_ptr<const TokenVocabulary> vocab);
  bool mask(std::span<float> logits) override;
  bool accept(int32_t token) override;
  bool complete() const override;

  // One bit per id: the tokens that may come next (mask() applies them to a row).
  const std::vector<uint64_t>& allowed();

 private:
  std::shared_ptr<const GbnfGrammar> grammar_;
  std::shared_ptr<const TokenVocabulary> vocab_;
  GbnfMatcher matcher_;
  GbnfState state_;
  std::vector<GbnfState> states_;  // by depth in the trie: the state after the node's bytes
  std::vector<uint64_t> allowed_;
  std::unordered_map<std::string, std::vector<uint64_t>> masks_;  // by state_key(), of this request
};

}  // namespace lmc::structured
