#include "models/model_tokenizer.h"

#include "models/tokenizer/tokenizer_from_gguf.h"
#include "models/tokenizer/tokenizer_from_json.h"
#include "support/error.h"

namespace lmc::models {

TokenizerVocab load_model_vocab(const ModelDef& def, const WeightSource& weights) {
  if (def.tokenizer == "gguf") {
    if (!weights.gguf()) throw error_at(def.path, "tokenizer: gguf, but the weights are not a GGUF file");
    return tokenizer_vocab_from_gguf(*weights.gguf());
  }
  return tokenizer_vocab_from_json(def.tokenizer);
}

}  // namespace lmc::models
