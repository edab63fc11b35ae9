// A model's chat format: its weights' own chat template (a GGUF's tokenizer.chat_template;
// beside an HF tokenizer.json, chat_template.jinja or tokenizer_config.json's
// chat_template), with, as the fallback, the known family that template is recognized as,
// else the model definition's turns.
#pragma once
#include "ir/chat_format.h"
#include "models/model_def.h"
#include "models/weight_source.h"

namespace lmc::models {

ir::ChatFormat model_chat_format(const ModelDef& def, const WeightSource& weights);

}  // namespace lmc::models
