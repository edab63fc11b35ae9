// What a graph was lowered from and how to run it: the facts that travel with the
// graph from the frontend, through the artifact, to the generator.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ir/chat_format.h"

namespace lmc::ir {

struct ModelInfo {
  std::string name;
  std::string weights;     // path the weights were read from
  int64_t context = 0;     // longest sequence the KV caches hold
  int64_t step_tokens = 0; // most rows one graph run takes (prefill is chunked by it)
  int64_t d_model = 0;
  int64_t n_layers = 0;
  ChatFormat chat;                                  // empty: the model does not chat
  std::vector<std::pair<std::string, std::string>> hyper;  // evaluated parameters, for display
};

}  // namespace lmc::ir
