#include "tools/lmc/tokenizer_bounds.h"

namespace lmc::tools {

void bound_by_tokenizer(runtime::GenerateOptions& g, const models::Tokenizer& tok) {
  g.is_eog = [&tok](int32_t id) { return tok.is_eog(id); };
  g.sampling.vocab_limit = static_cast<int64_t>(tok.size());
}

}  // namespace lmc::tools
