// How `lmc perplexity` prints what it measured: the running perplexity after each chunk
// and a text summary (llama-perplexity's habits), or one JSON object (-o json).
#pragma once
#include <cstdint>
#include <string>

#include "driver/perplexity.h"

namespace lmc::tools {

struct PerplexityHeader {
  std::string model, pipeline, base_model, base_pipeline, text;
  int64_t text_tokens = 0;
};

// "[k]ppl," after chunk k (text only).
void print_chunk(int64_t chunk, const driver::PerplexityReport& r);
void print_perplexity(const PerplexityHeader& h, const driver::PerplexityReport& r, bool json);

}  // namespace lmc::tools
