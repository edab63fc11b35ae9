// A model definition as written in models/*.yaml: where the weights and tokenizer
// are, hyper-parameters (expressions, defaulting to the weights' metadata), and the
// computation as a prologue, a block repeated n_layers times, and an epilogue.
// See docs/model-definitions.md for the format.
#pragma once
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ir/chat_format.h"

namespace lmc::models {

struct Located {
  std::string text;
  std::string where;  // "file.yaml:12:5"
};

// One line of the computation: `q, k = op(arg, @"weight.{i}", key = expr)`.
struct Statement {
  std::vector<std::string> results;
  std::string op;
  struct Arg {
    enum Kind { Value, Weight, OptionalWeight, Attr } kind;
    std::string key;   // for Attr
    std::string text;  // value name, weight-name expression, or attribute expression
  };
  std::vector<Arg> args;
  std::string where;
};

struct ModelDef {
  std::string path;                      // of the YAML file
  std::string name;
  std::string weights;                   // resolved against the YAML's folder
  std::string tokenizer;                 // "gguf", "none" (a vision tower), or a tokenizer.json path (resolved)
  // The architectures this definition serves, by weights format ("gguf": a GGUF's
  // general.architecture, "hf": a Hugging Face config.json's model_type; one name or a
  // list), so that `lmc run model.gguf` finds it.
  std::map<std::string, std::vector<std::string>> serves;
  ir::ChatFormat chat;  // empty when the definition has none
  std::vector<std::pair<std::string, Located>> params;        // evaluated in order
  std::vector<std::pair<std::string, Located>> block_params;  // per layer, with i bound
  std::map<std::string, Located> passes;                      // pass options, e.g. quant-min-dim
  // Graph inputs beyond tokens, positions and seq: f32 rows whose dims are expressions
  // over the parameters or the symbol T (a vision tower's `patches: [T, 3 * patch ** 2]`).
  std::vector<std::pair<std::string, std::vector<Located>>> inputs;
  Located context, step_tokens;
  std::vector<Statement> prologue, block, epilogue;
  std::vector<std::string> outputs;
};

// Reads and checks a definition; errors name the file, line and column.
ModelDef read_model_def(const std::string& path);
// Parses one statement line (exposed for tests).
Statement parse_statement(const std::string& text, const std::string& where);

}  // namespace lmc::models
