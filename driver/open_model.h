// Opening a model for run: from an artifact (mapped weights, object code linked into the process,
// or recompiled when it may not run here) or straight from a model definition, a GGUF or
// a HF folder (compiled in this process, weights packed in memory). `lmc run` and
// `lmc bench` take any of them.
#pragma once
#include <memory>
#include <string>

#include "codegen/kernel_library.h"
#include "driver/artifact_trust.h"
#include "driver/compile.h"
#include "driver/compile_cache.h"
#include "driver/model_shard.h"
#include "ir/graph.h"
#include "ir/model_info.h"
#include "models/tokenizer/tokenizer.h"
#include "runtime/artifact/artifact.h"
#include "runtime/artifact/weight_provider.h"
#include "runtime/collectives.h"
#include "runtime/kernel_table.h"

namespace lmc::driver {

struct LoadedModel {
  std::unique_ptr<runtime::Artifact> artifact;       // when loaded from one
  std::unique_ptr<ir::Graph> graph;
  ir::ModelInfo info;
  std::unique_ptr<codegen::KernelLibrary> library;
  runtime::KernelTable kernels;
  std::vector<passes::Remark> remarks;  // the compile's (driver/remarks_section.h)
  std::unique_ptr<runtime::WeightProvider> owned_weights;  // when packed in memory
  const runtime::WeightProvider* weights = nullptr;
  std::unique_ptr<models::Tokenizer> tokenizer;
  uint64_t weight_bytes = 0;
  double load_seconds = 0;
  ModelShard shard;  // the share of a split model this graph computes
  // The ranks this process's share of a split model (the shard pass) runs with; its
  // executors need them. nullptr when the model is whole.
  runtime::Collectives* collectives = nullptr;
  // Where weights opened through the compile cache came from: the entry, and whether this
  // open compiled it. Empty path: not through the cache.
  CachedArtifact cached;
};

struct OpenRequest {
  CompileRequest compile;  // for a model definition or weights (its `model` is the path opened)
  ArtifactTrust trust;     // for an artifact
  // Positions the KV caches hold (LoadedModel::info.context); 0: the model's default.
  int64_t context = 0;
  // The context the weights were trained for, when known (a GGUF's <arch>.context_length):
  // `context` up to it is the model's own; past it, a warning says quality may suffer.
  int64_t trained_context = 0;
  // For weights: the compile cache their artifact comes from (compiled into it when
  // absent, then opened with `trust`); nullptr, or a compile the user watches
  // (driver/cache_key.h), compiles in memory.
  CompileCache* cache = nullptr;
  PackProgress progress;  // the weights packed into the cache
  // False for a graph that reads no text (a vision tower, driver/image_encoder.h): its
  // artifact has no tokenizer, and the model opened has none.
  bool reads_text = true;
};

// Checks that the model fits in memory before anything large is allocated.
LoadedModel open_model(const std::string& path, const OpenRequest& r);

// A model or graph compiled in this process (compile(), from `path`) made runnable: its
// kernels linked in, its params packed in memory (none for a graph without params).
LoadedModel load_compiled(CompiledModel c, const std::string& path);

}  // namespace lmc::driver
