// What llama.cpp calls a GGUF's model — "llama 1B Q4_K - Medium": the file's architecture,
// the size class llama.cpp assigns from its hyperparameters (a table per architecture,
// written from llama.cpp's documented model types; "?B" where it has none), and the file
// type's name (general.file_type). llama-bench prints it as model_type; lmc bench does too.
#pragma once
#include <string>

#include "models/formats/gguf_file.h"

namespace lmc::tools {

std::string llama_model_type(const models::GgufFile& f);

// llama.cpp's name of a general.file_type ("Q4_K - Medium"), "unknown, may not work" else.
std::string llama_ftype_name(int64_t ftype);

}  // namespace lmc::tools
