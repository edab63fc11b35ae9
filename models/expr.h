// The small expression language of model definitions: numbers, strings with {name}
// interpolation, int lists, arithmetic, comparisons, `c ? a : b`, and functions
// (sqrt, pow, min, max, int, meta("key"[, default]), has_meta("key"),
// shape("weight", dim)). Per-layer variation is written with it, e.g.
//   window: "(i + 1) % 6 == 0 ? 0 : sliding_window"
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace lmc::models {

using ExprValue = std::variant<double, std::string, std::vector<double>>;

struct ExprEnv {
  std::map<std::string, ExprValue> vars;
  // Host functions (meta, has_meta, shape) the frontend provides.
  std::map<std::string, std::function<ExprValue(const std::vector<ExprValue>&)>> functions;
};

// Evaluates `text`; errors are lmc::Error "<where>: error: in expression '<text>': ...".
ExprValue eval_expr(const std::string& text, const ExprEnv& env, const std::string& where);
// Replaces {name} in a string with the variable's value (integers print without '.0').
std::string interpolate(const std::string& text, const ExprEnv& env, const std::string& where);
std::string expr_to_string(const ExprValue& v);

}  // namespace lmc::models
