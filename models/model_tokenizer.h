// The tokenizer a model definition names: the GGUF's own vocabulary ("gguf") or an
// HF tokenizer.json.
#pragma once
#include "models/model_def.h"
#include "models/tokenizer/tokenizer.h"
#include "models/weight_source.h"

namespace lmc::models {

TokenizerVocab load_model_vocab(const ModelDef& def, const WeightSource& weights);

}  // namespace lmc::models
