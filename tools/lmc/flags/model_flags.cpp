#include "tools/lmc/flags/model_flags.h"

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "driver/compile_cache.h"
#include "driver/kernel_object_cache.h"
#include "runtime/memory_lock.h"
#include "support/error.h"
#include "support/tile_state.h"
#include "tools/lmc/flags/artifact_flags.h"
#include "tools/lmc/flags/cache_flags.h"
#include "tools/lmc/flags/jit_flags.h"
#include "tools/lmc/flags/llama_flags.h"
#include "tools/lmc/flags/pass_flags.h"
#include "tools/lmc/llama/llama_model_type.h"
#include "tools/lmc/process/process_world.h"
#include "tools/lmc/process/progress.h"

namespace lmc::tools {

namespace {

// `fallback` when --target is not given: an artifact written to be copied (lmc compile,
// lmc exec's graphs) is portable, a model compiled here to run here uses this CPU's ISA.
codegen::TargetOptions target_options(const Args& a, TargetDefault fallback) {
  codegen::TargetOptions t;
  std::string target = a.get_or("target", fallback == TargetDefault::Host ? "native" : "baseline");
  if (target != "baseline" && target != "native") throw UsageError("--target must be 'baseline' or 'native'");
  t.native = target == "native";
  t.mcpu = a.get_or("mcpu", "");
  t.mattr = a.get_or("mattr", "");
  return t;
}

// The kernel object cache beside the compile cache (in its --cache-dir), unless turned off;
// without a home to keep it in, there is none.
std::string kernel_cache_dir(const Args& a) {
  if (a.has("no-kernel-cache") || a.has("no-cache")) return "";
  if (auto dir = a.get("cache-dir")) return driver::kernel_objects_dir(*dir);
  try {
    return driver::kernel_objects_dir(driver::default_cache_dir());
  } catch (const Error&) {
    return "";
  }
}

}  // namespace

std::vector<FlagSpec> compile_flag_specs() {
  auto specs = pass_flag_specs();
  std::vector<FlagSpec> more = {
      {"weights", true, "read weights from PATH instead of the definition's (for a graph, .lir: its params)", "PATH"},
      {"model-def", true,
       "lower a .gguf or Hugging Face folder with FILE instead of the definition serving "
       "its architecture",
       "FILE.yaml"},
      {"context", true, "longest sequence (prompt + generated) the KV cache holds", "N"},
      {"target", true,
       "'baseline' (x86-64 AVX2+FMA: portable, lmc compile's default) or 'native' (this CPU, "
       "e.g. AVX-512 VNNI: the default where weights or a definition are compiled to run here)",
       "T"},
      {"mcpu", true, "LLVM CPU name to generate for", "CPU"},
      {"mattr", true, "LLVM target features, e.g. +avx512f,+avx512vnni", "FEATURES"},
      {"dump-llvm-ir", true, "write each kernel's optimized LLVM IR to DIR/<kernel>.ll", "DIR"},
      {"dump-asm", true, "write each kernel's assembly to DIR/<kernel>.s", "DIR"},
      {"cost-table", true,
       "times for quant-threshold{mode=measured} and tune-prefill from FILE ('<type> <seconds>' and "
       "'prefill <kernel> <weights> <rows> <seconds>' lines) instead of timing kernels here",
       "FILE"},
      {"verbose", false, "log each compile stage (lower, passes, kernels) with its time"},
      {"no-kernel-cache", false,
       "generate every kernel: neither read nor keep objects in the kernel object "
       "cache ($XDG_CACHE_HOME/lmc/kernels, or --cache-dir's kernels/)"},
  };
  specs.insert(specs.end(), more.begin(), more.end());
  return specs;
}

std::vector<FlagSpec> open_flag_specs() {
  auto s = compile_flag_specs();
  for (auto* more : {artifact_flag_specs, cache_flag_specs, jit_flag_specs})
    for (auto& f : more()) s.push_back(f);
  return s;
}

driver::CompileRequest compile_request(const std::string& model, const Args& a, TargetDefault target) {
  bool weights = driver::model_input(model) == driver::ModelInput::Weights;
  if (weights && a.has("weights"))
    throw UsageError("--weights applies to a model definition (.yaml); " + model + " is the weights");
  if (!weights && a.has("model-def"))
    throw UsageError("--model-def applies to a .gguf or a Hugging Face folder, not to " + model);
  apply_amx_flag(a);  // before the target is resolved: a native target leaves AMX out
  driver::CompileRequest r;
  r.model = model;
  r.model_def = a.get_or("model-def", "");
  r.lower.weights = a.get_or("weights", "");
  r.lower.context = a.get_int("context", 0, 1, int64_t{1} << 24);
  r.pipeline = a.get_or("passes", "default");
  r.pass_options = pass_options(a);
  // --amx-bf16 (LMC_AMX_BF16=1) forces the bf16 tiles where the target has them, as
  // --prefill-kernel=bf16_tiles does; an explicit --prefill-kernel wins.
  if (tile_state().bf16) r.pass_options.emplace("prefill-kernel", "bf16_tiles");
  r.plugins = a.all("load-pass-plugin");
  r.pass_files = pass_files(a);
  r.cost_table = a.get_or("cost-table", "");
  r.instrumentation = instrumentation_from(a);
  r.target = target_options(a, target);
  r.codegen.dump_llvm_ir_dir = a.get_or("dump-llvm-ir", "");
  r.codegen.dump_asm_dir = a.get_or("dump-asm", "");
  r.kernel_cache_dir = kernel_cache_dir(a);
  if (a.has("verbose")) r.log = &std::cerr;
  return r;
}

std::string model_argument(const Args& a, const std::string& command) {
  refuse_llama_flags(a);
  size_t given = a.positional().size() + (a.has("model") ? 1 : 0);
  if (given != 1)
    throw UsageError(command +
                     " expects one artifact, model definition, .gguf or Hugging Face folder (as MODEL or -m)");
  return a.has("model") ? *a.get("model") : a.positional()[0];
}

namespace {

// The shard pass's options from the world: this process compiles rank r of N.
void take_rank(driver::CompileRequest& r, const runtime::Collectives& world) {
  std::string ranks = std::to_string(world.ranks());
  auto given = r.pass_options.find("tensor-parallel");
  if (given != r.pass_options.end() && given->second != ranks)
    throw UsageError("--tensor-parallel " + given->second + " but mpirun started " + ranks + " ranks");
  if (r.pass_options.count("rank")) throw UsageError("--rank is the process's rank under mpirun; do not give it");
  r.pass_options["tensor-parallel"] = ranks;
  r.pass_options["rank"] = std::to_string(world.rank());
}

// Under mpirun rank r runs its own artifact: gemma.rank<r>.lmc beside the gemma.lmc named
// (what `lmc compile --tensor-parallel=N -o gemma.lmc` writes), else the file named itself.
std::string rank_artifact(const std::string& path, const runtime::Collectives& world) {
  std::string mine = driver::rank_path(path, world.rank());
  return std::filesystem::exists(mine) ? mine : path;
}

// A model runs as the share it was compiled for: the whole model alone, rank r of N
// under mpirun -np N as rank r.
void check_share(const driver::ModelShard& has, const runtime::Collectives* world, const std::string& path) {
  driver::ModelShard want;
  if (world) want = {world->ranks(), world->rank()};
  if (has == want) return;
  std::string ranks = std::to_string(world ? world->ranks() : has.ranks);
  if (has.ranks == 1)
    throw error_at(path, "holds the whole model, but this process is " + driver::describe(want) +
                             ": `lmc compile MODEL --tensor-parallel=" + ranks +
                             " -o FILE.lmc` writes every rank's share " + "(FILE.rank0.lmc, ...), and `mpirun -np " +
                             ranks + " lmc run FILE.lmc` runs them");
  if (!world)
    throw error_at(path, "holds " + driver::describe(has) + " of a split model: run it with mpirun -np " + ranks +
                             " (docs/scaling.md)");
  throw error_at(path,
                 "holds " + driver::describe(has) + " of a split model, but this process is " + driver::describe(want));
}

}  // namespace

namespace {

// Weights open through the compile cache unless --no-cache, or compile in memory when its
// folder cannot be made; its flags mean nothing to an artifact or a model definition, but
// for the --mmproj beside it.
std::unique_ptr<driver::CompileCache> cache_for(const std::string& path, const Args& a) {
  if (driver::model_input(path) == driver::ModelInput::Weights) return compile_cache_for(path, a);
  if (a.has("mmproj")) return nullptr;  // the flags are the vision tower's (tools/lmc/flags/tower_flags.h)
  for (const auto& f : cache_flag_specs())
    if (a.has(f.name))
      throw UsageError("--" + f.name +
                       " applies to weights (.gguf, a Hugging Face folder), which are compiled once "
                       "into the cache; " +
                       path + " is not");
  return nullptr;
}

// --mlock: a failure is a warning, as llama.cpp's; the run goes on unlocked.
void lock_weights(const driver::LoadedModel& m) {
  runtime::MemoryLock lock = runtime::lock_in_memory(*m.weights);
  if (!lock.failure.empty())
    std::fprintf(stderr, "warning: %s: %s\n", m.info.name.c_str(), lock.failure.c_str());
  else
    std::fprintf(stderr, "lmc: %s: %.1f MB of weights locked in memory\n", m.info.name.c_str(), lock.locked / 1e6);
}

// The context the weights were trained for: a GGUF's <arch>.context_length; 0 when the file
// does not say (a definition, a Hugging Face folder, an artifact).
int64_t trained_context(const std::string& path) {
  if (driver::model_input(path) != driver::ModelInput::Weights) return 0;
  std::optional<LlamaFileFacts> facts = llama_file_facts(path);
  return facts ? facts->n_ctx_train : 0;
}

// A default context smaller than the file's is lmc's, kept small for memory: said, with
// how to have the whole.
void say_default_context(const driver::LoadedModel& m, int64_t trained) {
  if (trained > m.info.context)
    std::fprintf(stderr,
                 "lmc: %s: a context of %lld positions, of the %lld the model was trained for (lmc's default, "
                 "for memory; -c 0 takes them all, -c N any)\n",
                 m.info.name.c_str(), static_cast<long long>(m.info.context), static_cast<long long>(trained));
}

}  // namespace

driver::LoadedModel open_model(const std::string& path, const Args& a, const OpenOverride& o) {
  apply_jit_flags(a);
  bool definition = driver::model_input(path) != driver::ModelInput::Artifact;
  // An artifact is already compiled: a compile flag (--context, --passes, ...) would be ignored;
  // a model definition or weights (compiled here) have no seal or digests for the artifact
  // flags to act on.
  for (const auto& f : compile_flag_specs())
    if (!definition && a.has(f.name))
      throw UsageError("--" + f.name +
                       " applies to a model definition (.yaml) or weights (.gguf, a Hugging Face "
                       "folder), not to the compiled " +
                       path);
  for (const auto& f : artifact_flag_specs())
    if (definition && a.has(f.name)) throw UsageError("--" + f.name + " applies to an artifact (.lmc), not to " + path);
  driver::OpenRequest r;
  r.context = o.context ? o.context : a.get_int("ctx-size", 0, 0, int64_t{1} << 24);
  r.trained_context = trained_context(path);
  // -c 0, as llama.cpp's: the context the file says the model was trained for, else the model's default.
  if (r.context == 0 && a.has("ctx-size")) r.context = r.trained_context;
  if (definition) {
    r.compile = compile_request(path, a, TargetDefault::Host);
    if (o.pipeline) {
      r.compile.pipeline = *o.pipeline;
      r.compile.pass_options.clear();
    }
    if (!o.first_pass.empty()) r.compile.pipeline = o.first_pass + "," + r.compile.pipeline;
    if (o.adjust) o.adjust(r.compile);
  } else if (o.pipeline) {
    throw UsageError(path + " is compiled already: another pipeline needs the model definition or weights");
  } else {
    r.trust = artifact_trust(a);
  }
  runtime::Collectives* world = process_world();
  std::string opened = path;
  if (world && definition) take_rank(r.compile, *world);
  if (world && !definition) opened = rank_artifact(path, *world);
  auto cache = cache_for(path, a);
  std::unique_ptr<Progress> bar;
  if (cache) {
    r.cache = cache.get();
    r.trust = driver::artifact_trust({}, true);  // its entries are sealed with the user's key
    r.progress = [&](int64_t done, int64_t total) {
      if (!bar) bar = std::make_unique<Progress>("packing", total);
      bar->update(done);
    };
  }
  driver::LoadedModel m = driver::open_model(opened, r);
  bar.reset();
  if (m.cached.compiled)
    std::fprintf(stderr, "lmc: %s: compiled in %.1f s into the cache as %s; later runs open it\n", path.c_str(),
                 m.cached.compile_seconds, m.cached.path.c_str());
  check_share(m.shard, world, opened);
  if (r.context == 0) say_default_context(m, r.trained_context);
  if (a.has("mlock")) lock_weights(m);
  m.collectives = world;
  return m;
}

}  // namespace lmc::tools
