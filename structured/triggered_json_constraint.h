// Free text that turns into JSON when it begins with a literal (a tool call's opening,
// "<tool_call>\n"): until the answer's bytes either are the trigger (then what follows must
// be JSON of the grammar, JsonTokenConstraint, and the answer ends where the JSON does) or
// cannot become it (then the answer is free), no token may run past the trigger's end, so
// the JSON starts on a token boundary. The trigger may end with the JSON's own first bytes
// (Llama 3's calls have no opening text: '{"name":' marks one); the JSON then holds them.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "runtime/token_constraint.h"
#include "structured/json_grammar.h"
#include "structured/json_token_constraint.h"
#include "structured/token_vocabulary.h"

namespace lmc::structured {

class TriggeredJsonConstraint final : public runtime::TokenConstraint {
 public:
  // max_tokens: the most tokens the sequence may generate, the trigger's included;
  // json_bytes: how many of the trigger's last bytes are the JSON's first.
  TriggeredJsonConstraint(std::string trigger, std::shared_ptr<const Grammar> grammar,
                          std::shared_ptr<const TokenVocabulary> vocab, int64_t max_tokens, size_t json_bytes = 0);
  bool mask(std::span<float> logits) override;
  bool accept(int32_t token) override;
  bool complete() const override;

 private:
  std::string trigger_;
  std::string seen_;  // the answer so far, while it is a proper prefix of the trigger
  bool free_ = false;
  std::shared_ptr<const Grammar> grammar_;
  std::shared_ptr<const TokenVocabulary> vocab_;
  int64_t budget_;
  size_t json_bytes_;
  std::unique_ptr<JsonTokenConstraint> json_;  // once the trigger is written
};

}  // namespace lmc::structured
