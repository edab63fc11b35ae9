// A model ready to execute, from an artifact (mapped weights, object code loaded
// into ORC) or straight from a model YAML (compiled and JIT-ed in this process, weights
// packed in memory). `lmc run` and `lmc bench` take either.
#pragma once
#include <memory>
#include <string>

#include "codegen/kernel_library.h"
#include "ir/graph.h"
#include "ir/model_info.h"
#include "models/tokenizer.h"
#include "runtime/artifact.h"
#include "runtime/kernel_table.h"
#include "runtime/weight_provider.h"
#include "tools/cli_args.h"

namespace lmc::tools {

struct LoadedModel {
  std::unique_ptr<runtime::Artifact> artifact;       // when loaded from one
  std::unique_ptr<ir::Graph> graph;
  ir::ModelInfo info;
  std::unique_ptr<codegen::KernelLibrary> library;
  runtime::KernelTable kernels;
  std::unique_ptr<runtime::WeightProvider> owned_weights;  // when packed in memory
  const runtime::WeightProvider* weights = nullptr;
  std::unique_ptr<models::Tokenizer> tokenizer;
  uint64_t weight_bytes = 0;
  double load_seconds = 0;
};

// `path` is an .lmc artifact or a model .yaml; `a` carries the compile flags for YAML.
LoadedModel load_model(const std::string& path, const Args& a);

}  // namespace lmc::tools
