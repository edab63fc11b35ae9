#include "tools/loaded_model.h"

#include <chrono>
#include <iostream>
#include <map>

#include "codegen/kernel_compiler.h"
#include "ir/error.h"
#include "ir/parser.h"
#include "ir/verifier.h"
#include "models/tokenizer_io.h"
#include "tools/compile_driver.h"
#include "tools/memory_check.h"
#include "tools/memory_weights.h"

namespace lmc::tools {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// The artifact's object code, or — when it was built for another CPU or another lmc —
// kernels compiled again from the artifact's IR, with a warning.
void load_kernels(LoadedModel& m) {
  const auto& man = m.artifact->parsed_manifest();
  auto missing = codegen::missing_host_features(man.target);
  std::string why;
  if (man.lmc_version != LMC_VERSION) why = "it was built by lmc " + man.lmc_version + ", this is lmc " + LMC_VERSION;
  if (!missing.empty()) {
    why = "this CPU lacks";
    for (const auto& f : missing) why += " " + f;
  }
  if (why.empty()) {
    m.library = codegen::KernelLibrary::from_object(m.artifact->section("kernels"), man.target);
    m.kernels = runtime::build_kernel_table(*m.library, man.kernels);
    return;
  }
  std::cerr << "warning: " << m.artifact->path() << ": recompiling kernels for this machine: " << why << "\n";
  codegen::KernelCompiler compiler(codegen::baseline_target());
  runtime::add_graph_kernels(compiler, *m.graph);
  m.library = codegen::KernelLibrary::jit(compiler);
  m.kernels = runtime::build_kernel_table(*m.library, compiler.kernels());
}

// The executor reads each param's bytes as the IR types it, so the IR and the weight
// index must agree on every param, or a corrupt artifact is read out of bounds.
void check_params(const ir::Graph& g, const runtime::Artifact& a) {
  std::map<std::string, const runtime::WeightRecord*> index;
  for (const auto& r : a.weight_index()) index[r.name] = &r;
  for (const auto& op : g.ops()) {
    if (op->kind() != "param") continue;
    const std::string& name = op->attr_str("name");
    const ir::Type& t = op->result()->type();
    auto it = index.find(name);
    ir::Type stored{it == index.end() ? t.dtype : it->second->dtype, {}};
    if (it != index.end())
      for (int64_t d : it->second->shape) stored.dims.push_back(ir::Dim::of(d));
    if (it == index.end() || stored != t)
      throw error_at(a.path() + ":ir:" + std::to_string(op->line()),
                     "param '" + name + "' is " + t.str() + " but the weight index has " +
                         (it == index.end() ? "no such tensor" : stored.str()));
  }
}

LoadedModel from_artifact(const std::string& path) {
  LoadedModel m;
  m.artifact = runtime::Artifact::open(path);
  m.info = m.artifact->model_info();
  m.graph = ir::parse(m.artifact->section("ir"), path + ":ir");
  ir::verify(*m.graph, path + ":ir");
  check_params(*m.graph, *m.artifact);
  check_memory_fits(estimate_memory(*m.graph, m.info), available_memory(), m.info, path);
  load_kernels(m);
  m.weights = &m.artifact->weights();
  for (const auto& w : m.artifact->weight_index()) m.weight_bytes += w.bytes;
  m.tokenizer = models::Tokenizer::create(models::deserialize_vocab(m.artifact->section("tokenizer"), path));
  return m;
}

LoadedModel from_yaml(const std::string& path, const Args& a) {
  CompiledModel c = compile_model(path, a);
  check_memory_fits(estimate_memory(*c.model.graph, c.model.info), available_memory(), c.model.info, path);
  LoadedModel m;
  m.info = c.model.info;
  m.library = codegen::KernelLibrary::from_object(c.object, c.compiler->target());
  m.kernels = runtime::build_kernel_table(*m.library, c.compiler->kernels());
  auto weights = std::make_unique<MemoryWeights>(*c.model.graph, *c.model.weights);
  m.weight_bytes = weights->bytes();
  m.weights = weights.get();
  m.owned_weights = std::move(weights);
  m.tokenizer = std::move(c.tokenizer);
  m.graph = std::move(c.model.graph);
  return m;
}

}  // namespace

LoadedModel load_model(const std::string& path, const Args& a) {
  auto t0 = std::chrono::steady_clock::now();
  bool yaml = ends_with(path, ".yaml") || ends_with(path, ".yml");
  // An artifact is already compiled: a compile flag (--context, --passes, ...) would be ignored.
  for (const auto& f : compile_flag_specs())
    if (!yaml && a.has(f.name))
      throw UsageError("--" + f.name + " applies to a model definition (.yaml), not to the compiled " + path);
  LoadedModel m = yaml ? from_yaml(path, a) : from_artifact(path);
  m.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return m;
}

}  // namespace lmc::tools
