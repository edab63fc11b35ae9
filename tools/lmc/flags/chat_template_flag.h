// The chat template `lmc run --chat`, `lmc chat` and `lmc serve` render a conversation with:
// --chat-template-file F, or --chat-template NAME (llama.cpp's built-in names: chatml,
// llama3, gemma, phi3, mistral-v7, ...: the family's turns, as llama.cpp renders its
// built-in templates), else the one the model's weights carry (kept in an artifact), else
// the known family the model's format falls back to, which is said once on stderr.
#pragma once
#include <string>
#include <vector>

#include "driver/open_model.h"
#include "models/chat/chat_template.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> chat_template_flag_specs();

// `model`: the path the user gave, to name the template in errors. Throws lmc::Error naming
// the file and line of a template that does not parse, or when the model has no format.
models::ChatTemplate chat_template(const driver::LoadedModel& m, const Args& a, const std::string& model);

}  // namespace lmc::tools
