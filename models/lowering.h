// Lowers a model definition to IR: one generic interpreter of the YAML template, no
// code path per architecture. The prologue runs once, the block n_layers times with
// `i` bound, the epilogue once. Graph inputs, each i32[T] and present when used: tokens,
// positions (each row's absolute position) and seq (each row's sequence slot: rows of
// several sequences share a step); every kv_append adds a cache argument and a cache
// output that aliases it.
#pragma once
#include <map>
#include <memory>
#include <string>

#include "ir/graph.h"
#include "ir/model_info.h"
#include "models/model_def.h"
#include "models/weight_source.h"

namespace lmc::models {

struct LowerOptions {
  std::string weights;      // overrides the YAML's weights path when set
  std::string tokenizer;    // overrides the YAML's tokenizer (and the one moved with the weights) when set
  std::string name;         // overrides the YAML's model name when set
  int64_t context = 0;      // overrides the YAML's context when > 0
};

struct LoweredModel {
  ModelDef def;
  std::unique_ptr<WeightSource> weights;
  std::unique_ptr<ir::Graph> graph;
  ir::ModelInfo info;
  std::map<std::string, std::string> pass_options;  // from the YAML's passes: section
};

LoweredModel lower_model(const std::string& yaml_path, const LowerOptions& opts = {});

}  // namespace lmc::models
