// The compile pipeline `lmc compile`, `lmc run model.yaml` and `lmc bench` share:
// lower the YAML, run the pass pipeline (then the mandatory weight folding), and
// generate every kernel the final graph needs.
#pragma once
#include <string>
#include <vector>

#include "codegen/kernel_compiler.h"
#include "models/lowering.h"
#include "models/tokenizer.h"
#include "tools/cli_args.h"

namespace lmc::tools {

struct CompiledModel {
  models::LoweredModel model;         // graph after the passes
  std::unique_ptr<models::Tokenizer> tokenizer;  // checked against the model before the passes
  std::string pipeline;               // the pass names that ran
  std::vector<std::string> pass_summary;
  std::unique_ptr<codegen::KernelCompiler> compiler;
  std::string object;                 // the kernels' object file
  double lower_seconds = 0, pass_seconds = 0;
};

std::vector<FlagSpec> compile_flag_specs();  // model, pass, target and dump flags
CompiledModel compile_model(const std::string& yaml, const Args& a);

}  // namespace lmc::tools
