#include "ir/op_registry.h"
#include "tools/compile_driver.h"

#include <chrono>
#include <iostream>

#include "ir/verifier.h"
#include "models/model_check.h"
#include "models/model_tokenizer.h"
#include "passes/pass_manager.h"
#include "passes/pass_registry.h"
#include "runtime/kernel_table.h"
#include "tools/kernel_cost_model.h"
#include "tools/pass_flags.h"

namespace lmc::tools {

namespace {

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool has_foldable_transforms(const ir::Graph& g) {
  for (const auto& op : g.ops())
    if (ir::is_role(*op, ir::OpRole::WeightTransform)) return true;
  return false;
}

codegen::TargetOptions target_options(const Args& a) {
  codegen::TargetOptions t;
  std::string target = a.get_or("target", "baseline");
  if (target != "baseline" && target != "native") throw UsageError("--target must be 'baseline' or 'native'");
  t.native = target == "native";
  t.mcpu = a.get_or("mcpu", "");
  t.mattr = a.get_or("mattr", "");
  return t;
}

}  // namespace

std::vector<FlagSpec> compile_flag_specs() {
  auto specs = pass_flag_specs();
  std::vector<FlagSpec> more = {
      {"weights", true, "read weights from PATH instead of the definition's", "PATH"},
      {"context", true, "longest sequence (prompt + generated) the KV cache holds", "N"},
      {"target", true, "'baseline' (x86-64 AVX2+FMA, default) or 'native' (this CPU, e.g. AVX-512)", "T"},
      {"mcpu", true, "LLVM CPU name to generate for", "CPU"},
      {"mattr", true, "LLVM target features, e.g. +avx512f,+avx512vnni", "FEATURES"},
      {"dump-llvm-ir", true, "write each kernel's optimized LLVM IR to DIR/<kernel>.ll", "DIR"},
      {"dump-asm", true, "write each kernel's assembly to DIR/<kernel>.s", "DIR"},
  };
  specs.insert(specs.end(), more.begin(), more.end());
  return specs;
}

CompiledModel compile_model(const std::string& yaml, const Args& a) {
  CompiledModel c;
  auto t0 = std::chrono::steady_clock::now();
  models::LowerOptions lo;
  lo.weights = a.get_or("weights", "");
  lo.context = a.get_int("context", 0, 1, int64_t{1} << 24);
  c.model = models::lower_model(yaml, lo);
  // The tokenizer is built (and so checked: ids, merges) at compile time, not first at run.
  c.tokenizer = models::Tokenizer::create(models::load_model_vocab(c.model.def, *c.model.weights));
  models::check_embedding_ranges(c.model, *c.tokenizer);
  c.lower_seconds = since(t0);

  t0 = std::chrono::steady_clock::now();
  load_pass_plugins(a);
  passes::PassContext ctx;
  KernelCostModel cost_model;
  ctx.cost_model = &cost_model;
  for (const auto& [k, v] : c.model.pass_options) ctx.options[k] = v;
  apply_pass_options(a, ctx);
  passes::PassManager pm(instrumentation_from(a));
  std::string pipeline = a.get_or("passes", "default");
  pm.add_pipeline(pipeline);
  pm.run(*c.model.graph, ctx);
  c.pass_summary = pm.summary();
  // Weight transforms must not run per step: fold whatever the pipeline left.
  if (has_foldable_transforms(*c.model.graph)) {
    passes::PassManager lowering({});
    lowering.add_pipeline("fold-weights,dce");
    lowering.run(*c.model.graph, ctx);
  }
  c.pipeline = pipeline;
  c.pass_seconds = since(t0);

  c.compiler = std::make_unique<codegen::KernelCompiler>(codegen::resolve_target(target_options(a)));
  runtime::add_graph_kernels(*c.compiler, *c.model.graph, yaml);
  codegen::CompileOptions co;
  co.dump_llvm_ir_dir = a.get_or("dump-llvm-ir", "");
  co.dump_asm_dir = a.get_or("dump-asm", "");
  c.object = c.compiler->compile(co);
  return c;
}

}  // namespace lmc::tools
