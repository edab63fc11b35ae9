// Structured output as the runtime's TokenConstraint (runtime/token_constraint.h): one
// request's answer, which must be JSON of a grammar (schema_compiler.h), matched token by
// token against a model's vocabulary. It keeps the request's matcher state and its token
// budget; the grammar and the vocabulary are shared, read-only, by every request.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "runtime/token_constraint.h"
#include "structured/json_grammar.h"
#include "structured/json_matcher.h"
#include "structured/token_mask.h"
#include "structured/token_vocabulary.h"

namespace lmc::structured {

class JsonTokenConstraint final : public runtime::TokenConstraint {
 public:
  // max_tokens: the most tokens the sequence may generate (TokenMasker's budget);
  // written: the JSON's first bytes, already in the answer (a trigger's that begin it).
  // Throws std::invalid_argument when the grammar cannot begin with them.
  JsonTokenConstraint(std::shared_ptr<const Grammar> grammar, std::shared_ptr<const TokenVocabulary> vocab,
                      int64_t max_tokens, std::string_view written = {});
  bool mask(std::span<float> logits) override;
  bool accept(int32_t token) override;
  bool complete() const override;

 private:
  std::shared_ptr<const Grammar> grammar_;
  std::shared_ptr<const TokenVocabulary> vocab_;
  Matcher matcher_;
  TokenMasker masker_;
  State state_;
  int64_t budget_;  // tokens left, the next one included
  std::vector<uint64_t> allowed_;
};

}  // namespace lmc::structured
