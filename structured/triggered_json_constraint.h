// Free text that turns into JSON when it begins with a literal (a tool call's opening,
// "<tool_call>\n"): until the answer's bytes either are the trigger (then what follows must
// be JSON of the grammar, JsonTokenConstraint) or cannot become it (then the answer is
// free), no token may run past the trigger's end, so the JSON starts on a token boundary.
// The trigger may end with the JSON's own first bytes (Llama 3's calls have no opening
// text: '{"name":' marks one); the JSON then holds them. It may also come after its lead
// (Llama 3.1's <|python_tag|> written as text), the same whichever way it begins. The
// answer ends where the JSON does, unless the trigger lets values follow one another
// (json_trigger.h): then after each the answer may end (its end-of-generation token), or
// write the joining literal and another value, a literal begun only when the tokens left
// can finish it and the shortest value after it.
#pragma once
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/token_constraint.h"
#include "structured/json_grammar.h"
#include "structured/json_token_constraint.h"
#include "structured/json_trigger.h"
#include "structured/token_vocabulary.h"

namespace lmc::structured {

class TriggeredJsonConstraint final : public runtime::TokenConstraint {
 public:
  // max_tokens: the most tokens the sequence may generate, the trigger's included.
  TriggeredJsonConstraint(JsonTrigger trigger, std::shared_ptr<const Grammar> grammar,
                          std::shared_ptr<const TokenVocabulary> vocab, int64_t max_tokens);
  bool mask(std::span<float> logits) override;
  bool accept(int32_t token) override;
  bool complete() const override;

 private:
  void start_json(std::string_view written);
  bool mask_trigger(std::span<float> logits) const;
  bool mask_between(std::span<float> logits) const;
  bool accept_between(int32_t token);

  JsonTrigger trigger_;
  std::vector<std::string> starts_;  // the trigger, and the lead and the trigger when there is a lead
  std::string seen_;  // the answer so far, while it is a proper prefix of one of starts_
  bool free_ = false;
  std::shared_ptr<const Grammar> grammar_;
  std::shared_ptr<const TokenVocabulary> vocab_;
  int64_t budget_;                   // tokens left, the next one included
  size_t shortest_json_;             // tokens of the grammar's shortest value
  std::unique_ptr<JsonTokenConstraint> json_;  // while a value is being written
  bool between_ = false;             // a value is whole and another may follow
  std::string joined_;               // of close + again, what is written since the last value
};

}  // namespace lmc::structured
