// A model's chat format: its weights' own chat template when that is one of the known
// families (a GGUF's tokenizer.chat_template; beside an HF tokenizer.json,
// chat_template.jinja or tokenizer_config.json's chat_template), else its definition's.
#pragma once
#include "ir/chat_format.h"
#include "models/model_def.h"
#include "models/weight_source.h"

namespace lmc::models {

ir::ChatFormat model_chat_format(const ModelDef& def, const WeightSource& weights);

}  // namespace lmc::models
