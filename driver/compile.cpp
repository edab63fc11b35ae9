#include "driver/compile.h"

#include <chrono>
#include <cstdio>
#include <optional>

#include "driver/cost_table.h"
#include "driver/graph_input.h"
#include "driver/kernel_cost_model.h"
#include "driver/kernel_object_cache.h"
#include "driver/model_input.h"
#include "models/model_check.h"
#include "models/model_tokenizer.h"
#include "passes/pass_file_loader.h"
#include "passes/pass_registry.h"
#include "passes/plugin_loader.h"
#include "runtime/kernel_table.h"
#include "support/cancellation.h"

namespace lmc::driver {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void log(const CompileRequest& r, const std::string& stage, double seconds, const std::string& what) {
  if (!r.log) return;
  char secs[32];
  std::snprintf(secs, sizeof secs, "%.3f s", seconds);
  *r.log << "lmc: " << stage << ": " << secs << ": " << what << "\n";
}

// The graph and the tokenizer, built (and so checked: ids, merges) at compile time, not
// first at run. A graph given as IR text, or a definition of tokenizer: none, has none.
void lower(CompiledModel& c, const CompileRequest& r) {
  check_cancelled();
  auto t0 = Clock::now();
  if (model_input(r.model) == ModelInput::Graph) {
    c.model = read_graph(r.model, r.lower, r.packs_weights);
    c.lower_seconds = since(t0);
    log(r, "read", c.lower_seconds, r.model + " -> " + std::to_string(c.model.graph->ops().size()) + " ops");
    return;
  }
  DefinitionChoice d = choose_definition(r.model, r.model_def, r.lower);
  c.model = models::lower_model(d.definition, d.lower);
  check_cancelled();
  if (c.model.def.tokenizer != "none") {  // a vision tower reads no text
    c.tokenizer = models::Tokenizer::create(models::load_model_vocab(c.model.def, *c.model.weights));
    models::check_embedding_ranges(c.model, *c.tokenizer);
  }
  c.lower_seconds = since(t0);
  log(r, "lower", c.lower_seconds, r.model + " -> " + std::to_string(c.model.graph->ops().size()) + " ops");
}

// The user's pipeline, then fold-weights,dce: weight transforms must not run per step.
// Both run in the same instrumented manager, so every dump and the recorded pipeline
// show them.
void run_passes(CompiledModel& c, const CompileRequest& r) {
  auto t0 = Clock::now();
  for (const auto& lib : r.plugins) passes::load_pass_plugin(lib);
  for (const auto& file : r.pass_files) passes::load_pass_file(file);
  passes::PassContext ctx;
  std::unique_ptr<passes::CostModel> cost_model;
  if (r.cost_table.empty())
    cost_model = std::make_unique<KernelCostModel>(codegen::resolve_target(r.target));
  else
    cost_model = std::make_unique<CostTable>(r.cost_table);
  ctx.cost_model = cost_model.get();
  // The definition's passes: section sets options as their flags do; the command line wins.
  passes::check_option_flags(c.model.pass_options, r.model + ": passes");
  passes::OptionValues flags = c.model.pass_options;
  for (const auto& [k, v] : r.pass_options) flags[k] = v;
  passes::PassManager pm(r.instrumentation);
  pm.add_pipeline(r.pipeline, flags);
  pm.ensure_suffix(passes::mandatory_pipeline(), flags);
  pm.run(*c.model.graph, ctx);
  c.pass_summary = pm.summary();
  c.remarks = std::move(ctx.remarks);
  c.pipeline = pm.pipeline_text();
  c.pass_seconds = since(t0);
  log(r, "passes", c.pass_seconds, c.pipeline + " -> " + std::to_string(c.model.graph->ops().size()) + " ops");
}

}  // namespace

// A compile that dumps its kernels' IR or assembly must generate them: those come from
// the generator, not from a cached object.
bool dumps_kernels(const codegen::CompileOptions& o) { return !o.dump_llvm_ir_dir.empty() || !o.dump_asm_dir.empty(); }

void generate_kernels(CompiledModel& c, const CompileRequest& r) {
  auto t0 = Clock::now();
  c.compiler = std::make_unique<codegen::KernelCompiler>(codegen::resolve_target(r.target));
  runtime::add_graph_kernels(*c.compiler, *c.model.graph, r.model);
  std::optional<KernelObjectCache> cache;
  if (!r.kernel_cache_dir.empty() && !dumps_kernels(r.codegen)) cache.emplace(r.kernel_cache_dir);
  const std::string key = cache ? KernelObjectCache::key(c.compiler->kernels(), c.compiler->target()) : "";
  if (std::optional<std::string> hit = cache ? cache->find(key) : std::nullopt) {
    c.object = std::move(*hit);
    c.object_cached = true;
  } else {
    c.object = c.compiler->compile(r.codegen);
    if (cache) cache->store(key, c.object);
  }
  log(r, "kernels", since(t0),
      std::to_string(c.compiler->kernels().size()) + " kernels for " + c.compiler->target().str() +
          (c.object_cached ? " from the kernel object cache" : ""));
}

CompiledModel compile_graph(const CompileRequest& r) {
  CompiledModel c;
  lower(c, r);
  run_passes(c, r);
  return c;
}

CompiledModel compile(const CompileRequest& r) {
  CompiledModel c = compile_graph(r);
  generate_kernels(c, r);
  return c;
}

}  // namespace lmc::driver
