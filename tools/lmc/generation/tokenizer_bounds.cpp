#include "tools/lmc/generation/tokenizer_bounds.h"

#include "support/error.h"
#include "tools/lmc/generation/dry_breakers.h"

namespace lmc::tools {

void bound_by_tokenizer(runtime::GenerateOptions& g, const models::Tokenizer& tok) {
  g.is_eog = [&tok](int32_t id) { return tok.is_eog(id); };
  g.sampling.vocab_limit = static_cast<int64_t>(tok.size());
  for (const auto& [id, bias] : g.sampling.logit_bias)
    if (id >= g.sampling.vocab_limit)
      throw Error("--logit-bias: token " + std::to_string(id) + " is past the model's " +
                  std::to_string(g.sampling.vocab_limit) + " tokens");
  if (g.sampling.dry.enabled()) g.sampling.dry.breakers = dry_breakers(tok, g.sampling.dry.sequence_breakers);
}

}  // namespace lmc::tools
