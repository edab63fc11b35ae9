// A constraint on what a sequence may generate (structured output: an answer that must
// be JSON of a schema), applied token by token. Before each sample the batch generator
// lets it narrow the logits row to the tokens that may come next; the token sampled is
// then handed back, and once the constraint is complete the sequence ends as if it had
// produced its end-of-generation token (on the budget's last token, as at its length limit). It is per-sequence state,
// owned by the job: the runtime knows nothing of what it constrains to, only this interface.
#pragma once
#include <cstdint>
#include <span>

namespace lmc::runtime {

class TokenConstraint {
 public:
  virtual ~TokenConstraint() = default;
  // Sets the logit of every token that may not come next to -inf (the ids of the row past
  // the constraint's vocabulary too). False when no token may: the sequence cannot go on.
  virtual bool mask(std::span<float> logits) = 0;
  // The token sampled from the masked row. False when the constraint does not allow it.
  virtual bool accept(int32_t token) = 0;
  // Nothing more may follow: the sequence ends here.
  virtual bool complete() const = 0;
};

}  // namespace lmc::runtime
