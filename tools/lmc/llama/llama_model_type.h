// What llama.cpp calls a GGUF's model — "llama 1B Q4_K - Medium": the file's architecture,
// the size class llama.cpp assigns from its hyperparameters (a table per architecture,
// written from llama.cpp's documented model types; "?B" where it has none), and the file
// type's name (general.file_type). llama-bench prints it as model_type; lmc bench does too.
#pragma once
#include <optional>
#include <string>

#include "models/formats/gguf_file.h"

namespace lmc::tools {

std::string llama_model_type(const models::GgufFile& f);

// llama.cpp's name of a general.file_type ("Q4_K - Medium"), "unknown, may not work" else.
std::string llama_ftype_name(int64_t ftype);

// What llama.cpp's tools report of a GGUF file: its model type, file type, tensors' bytes
// and values, and the context it was trained for (llama-bench's size and params,
// llama-server's /props model_ftype and /v1/models meta).
struct LlamaFileFacts {
  std::string model_type;  // llama_model_type
  std::string ftype;       // llama_ftype_name
  int64_t size = 0;        // bytes of its tensors
  int64_t params = 0;      // values of its tensors
  int64_t n_ctx_train = 0; // <arch>.context_length; 0 when absent
};

// nullopt when `path` is not a GGUF file (a definition's own weights, a Hugging Face folder).
std::optional<LlamaFileFacts> llama_file_facts(const std::string& path);

}  // namespace lmc::tools
