#include "driver/open_model.h"
#include "ir/op_registry.h"

#include <chrono>
#include <iostream>

#include "codegen/kernel_compiler.h"
#include "driver/artifact_graph.h"
#include "driver/cache_key.h"
#include "driver/memory_check.h"
#include "driver/memory_weights.h"
#include "driver/model_input.h"
#include "driver/remarks_section.h"
#include "models/model_tokenizer.h"
#include "models/tokenizer/tokenizer_io.h"
#include "runtime/host_isa.h"
#include "support/error.h"

namespace lmc::driver {

namespace {

// Why the artifact's object code must not run here, or "" when it may: code runs only
// from an artifact sealed with a trusted key, built by this lmc, for features this CPU has.
std::string reason_to_recompile(const runtime::Artifact& art, const ArtifactTrust& trust) {
  if (!trusted_seal(art, trust))
    return "it is not sealed with your artifact key (it was made elsewhere, or changed since; see docs/security.md)";
  const auto& man = art.parsed_manifest();
  if (man.lmc_version != LMC_VERSION) return "it was built by lmc " + man.lmc_version + ", this is lmc " + LMC_VERSION;
  auto missing = runtime::missing_target_features(man.target, man.isa);
  if (missing.empty()) return "";
  std::string why = "this CPU lacks";
  for (const auto& f : missing) why += " " + f;
  return why + codegen::tiles_off_reason(missing);
}

// The artifact's object code, or kernels compiled again from the artifact's IR with a
// warning. Either way the kernel table (symbols, work items) comes from the IR; the
// manifest's copy must agree with it, and is never used.
void load_kernels(LoadedModel& m, const ArtifactTrust& trust) {
  const runtime::Artifact& art = *m.artifact;
  std::string why = reason_to_recompile(art, trust);
  if (why.empty()) {
    const auto& man = art.parsed_manifest();
    auto entries = runtime::graph_kernel_entries(*m.graph, art.path() + ":ir");
    runtime::check_kernel_entries(entries, man.kernels, art.path() + ":manifest");
    m.library = codegen::KernelLibrary::load(art.section("kernels"), art.path() + ":kernels");
    m.kernels = runtime::build_kernel_table(*m.library, entries);
    return;
  }
  if (!trust.recompile_untrusted) throw error_at(art.path(), "its kernels may not run here: " + why);
  std::cerr << "warning: " << art.path() << ": recompiling kernels for this machine: " << why << "\n";
  codegen::KernelCompiler compiler(codegen::baseline_target());
  runtime::add_graph_kernels(compiler, *m.graph, art.path() + ":ir");
  m.library = codegen::KernelLibrary::compile(compiler);
  m.kernels = runtime::build_kernel_table(*m.library, compiler.kernels());
}

// The KV caches are sized at run time: a context longer than the one the model was trained
// for (the file's, else its definition's default) is allowed, as llama.cpp allows it.
void use_context(ir::ModelInfo& info, const OpenRequest& r, const std::string& path) {
  if (r.context <= 0) return;
  if (r.trained_context > 0 && r.context > r.trained_context)
    std::cerr << "warning: " << path << ": a context of " << r.context << " is longer than the " << r.trained_context
              << " the model was trained for; quality may suffer past it\n";
  else if (r.trained_context <= 0 && r.context > info.context)
    std::cerr << "warning: " << path << ": a context of " << r.context << " is longer than the model's default of "
              << info.context << "; quality may suffer past it\n";
  info.context = r.context;
}

LoadedModel from_artifact(const std::string& path, const ArtifactTrust& trust, const OpenRequest& r) {
  LoadedModel m;
  m.artifact = runtime::Artifact::open(path);
  const bool text = m.artifact->has_section("tokenizer");
  if (!text && r.reads_text)
    throw error_at(path,
                   "holds a graph compiled from IR text, which has no tokenizer to run text through (lmc "
                   "inspect and lmc verify read it)");
  if (trust.verify_weights) m.artifact->verify_weights();
  m.info = m.artifact->model_info();
  m.shard = shard_of_pipeline(m.artifact->parsed_manifest().pipeline, path + ":manifest");
  use_context(m.info, r, path);
  m.graph = read_artifact_graph(*m.artifact);
  check_memory_fits(estimate_memory(*m.graph, m.info), available_memory(), m.info, path);
  load_kernels(m, trust);
  m.weights = &m.artifact->weights();
  for (const auto& w : m.artifact->weight_index()) m.weight_bytes += w.bytes;
  if (text) m.tokenizer = models::Tokenizer::create(models::deserialize_vocab(m.artifact->section("tokenizer"), path));
  if (m.artifact->has_section("remarks")) m.remarks = decode_remarks(m.artifact->section("remarks"), path + ":remarks");
  for (const char* copied : {"ir", "kernels", "tokenizer"})
    if (m.artifact->has_section(copied)) m.artifact->release_section(copied);
  return m;
}

LoadedModel from_definition(const std::string& path, const OpenRequest& r) {
  CompileRequest request = r.compile;
  request.model = path;
  CompiledModel c = compile(request);
  use_context(c.model.info, r, path);
  check_memory_fits(estimate_memory(*c.model.graph, c.model.info), available_memory(), c.model.info, path);
  return load_compiled(std::move(c), path);
}

// The cache's artifact for the weights. An entry that does not open (truncated or changed
// on disk since, its seal among the rest) is compiled again, once.
LoadedModel from_cache(const std::string& path, const OpenRequest& r) {
  CompileRequest c = r.compile;
  c.model = path;
  std::optional<CachedArtifact> a = r.cache->get(c, r.progress);
  if (!a) return from_definition(path, r);
  // An entry written just now was digested as it was written; read back, it would only
  // cost a second pass over the weights.
  ArtifactTrust trust = r.trust;
  if (a->compiled) trust.verify_weights = false;
  trust.recompile_untrusted = false;
  LoadedModel m;
  try {
    m = from_artifact(a->path, trust, r);
  } catch (const Error& e) {
    if (a->compiled) throw;
    std::cerr << "warning: " << a->path << ": this cached model does not open, compiling it again: " << e.what()
              << "\n";
    a->hold.reset();
    r.cache->forget(a->path);
    a = r.cache->get(c, r.progress);
    if (!a) return from_definition(path, r);
    m = from_artifact(a->path, r.trust, r);
  }
  a->hold.reset();  // mapped: an eviction may unlink it now
  m.cached = std::move(*a);
  return m;
}

LoadedModel open_any(const std::string& path, const OpenRequest& r) {
  switch (model_input(path)) {
    case ModelInput::Artifact:
      return from_artifact(path, r.trust, r);
    case ModelInput::Weights:
      if (r.cache && !watches_compile(r.compile)) return from_cache(path, r);
      break;
    case ModelInput::Definition:
      break;
    case ModelInput::Graph:
      throw error_at(path, "is a graph (IR text), not a model: lmc compile compiles it, lmc opt transforms it");
  }
  return from_definition(path, r);
}

}  // namespace

LoadedModel load_compiled(CompiledModel c, const std::string& path) {
  LoadedModel m;
  m.info = c.model.info;
  m.shard = shard_of_pipeline(c.pipeline, path);
  codegen::require_host_features(c.compiler->target());
  m.library = codegen::KernelLibrary::load(c.object, path + ":kernels");
  m.kernels = runtime::build_kernel_table(*m.library, c.compiler->kernels());
  auto weights = c.model.weights ? std::make_unique<MemoryWeights>(*c.model.graph, *c.model.weights)
                                 : std::make_unique<MemoryWeights>();
  m.weight_bytes = weights->bytes();
  m.weights = weights.get();
  m.owned_weights = std::move(weights);
  m.tokenizer = std::move(c.tokenizer);
  m.graph = std::move(c.model.graph);
  m.remarks = std::move(c.remarks);
  return m;
}

LoadedModel open_model(const std::string& path, const OpenRequest& r) {
  auto t0 = std::chrono::steady_clock::now();
  LoadedModel m = open_any(path, r);
  m.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return m;
}

}  // namespace lmc::driver
