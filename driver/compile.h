// The compile pipeline as one function: lower the model definition (the one given, or the
// one serving the weights given, driver/model_input.h), run one instrumented
// pass pipeline (the user's passes, then the mandatory weight folding), and generate every
// kernel the final graph needs. `lmc compile`, and `lmc run`/`lmc bench` on a model
// definition, all go through compile().
#pragma once
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "codegen/kernel_compiler.h"
#include "codegen/target.h"
#include "models/lowering.h"
#include "models/tokenizer/tokenizer.h"
#include "passes/pass_manager.h"

namespace lmc::driver {

struct CompileRequest {
  std::string model;                                 // a model definition (.yaml), a .gguf or a HF folder
  std::string model_def;                             // for weights: the definition to use instead of the
                                                     // one serving their architecture
  models::LowerOptions lower;                        // weights and context overrides
  std::string pipeline = "default";                  // pass pipeline text
  passes::OptionValues pass_options;                 // option flag -> value, over the definition's passes:
  std::vector<std::string> plugins;                  // pass plugin libraries to load first
  std::vector<std::string> pass_files;               // pass files to load first (passes/text/)
  std::string cost_table;                            // times to use instead of measuring (driver/cost_table.h)
  passes::Instrumentation instrumentation;
  codegen::TargetOptions target;
  codegen::CompileOptions codegen;                   // kernel dumps
  std::string kernel_cache_dir;                      // non-empty: kernel objects reused from and kept
                                 // there (driver/kernel_object_cache.h)
  std::ostream* log = nullptr;  // one line per stage when set
  bool packs_weights = true;  // false when only the graph is written (--emit-ir):
                              // a graph's params then need no weights
};

struct CompiledModel {
  models::LoweredModel model;  // graph after the passes
  std::unique_ptr<models::Tokenizer> tokenizer;  // checked against the model before the passes
  std::string pipeline;  // pipeline text of what ran, mandatory passes included
  std::vector<std::string> pass_summary;
  std::vector<passes::Remark> remarks;  // every pass's, in order
  std::unique_ptr<codegen::KernelCompiler> compiler;
  std::string object;  // the kernels' object file
  bool object_cached = false;  // read from the kernel object cache, not generated
  double lower_seconds = 0, pass_seconds = 0;
};

CompiledModel compile(const CompileRequest& r);
// compile()'s two halves: the graph after the passes, then its kernels (compiler, object).
// write_artifact runs the second beside the weights' packing.
CompiledModel compile_graph(const CompileRequest& r);
void generate_kernels(CompiledModel& c, const CompileRequest& r);

}  // namespace lmc::driver
