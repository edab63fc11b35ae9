#include "tools/lmc/generation/constraint_vocabulary.h"

#include <string>
#include <vector>

namespace lmc::tools {

std::shared_ptr<const structured::TokenVocabulary> constraint_vocabulary(const models::Tokenizer& tok) {
  std::vector<std::string> texts(tok.size());
  std::vector<int32_t> eog;
  for (size_t i = 0; i < tok.size(); ++i) {
    const auto id = static_cast<int32_t>(i);
    if (tok.is_eog(id))
      eog.push_back(id);
    else if (tok.is_text(id))
      texts[i] = tok.token_text(id);
  }
  return std::make_shared<const structured::TokenVocabulary>(texts, std::move(eog));
}

}  // namespace lmc::tools
