#include "passes/api/pass_option.h"

#include <charconv>
#include <cmath>
#include <sstream>

namespace lmc::passes {

namespace {

// A finite number within [o.low, o.high], written whole ("1e-3", "0.5"; not "nan", "inf").
std::string float_value_problem(const PassOption& o, const std::string& value) {
  double v = 0;
  auto r = std::from_chars(value.data(), value.data() + value.size(), v);
  if (r.ec == std::errc() && r.ptr == value.data() + value.size() && std::isfinite(v) && v >= o.low && v <= o.high)
    return "";
  std::ostringstream want;
  want << "expects a finite number";
  if (std::isfinite(o.low) || std::isfinite(o.high)) want << " in [" << o.low << ", " << o.high << "]";
  return want.str() + ", got '" + value + "'";
}

}  // namespace

std::string option_flag(const PassOption& o, const std::string& pass) {
  return o.flag.empty() ? pass + "-" + o.name : o.flag;
}

std::string option_value_problem(const PassOption& o, const std::string& value) {
  switch (o.kind) {
    case OptionKind::Int: {
      int64_t v = 0;
      auto r = std::from_chars(value.data(), value.data() + value.size(), v);
      if (r.ec == std::errc() && r.ptr == value.data() + value.size() && v >= o.min && v <= o.max) return "";
      return "expects an integer in [" + std::to_string(o.min) + ", " + std::to_string(o.max) + "], got '" + value +
             "'";
    }
    case OptionKind::Float:
      return float_value_problem(o, value);
    case OptionKind::Bool:
      return value == "true" || value == "false" ? "" : "expects true or false, got '" + value + "'";
    case OptionKind::Choice:
      for (const auto& c : o.choices)
        if (c == value) return "";
      return "expects one of " + option_value_syntax(o) + ", got '" + value + "'";
    case OptionKind::String:
      return "";
  }
  return "";
}

std::string option_value_syntax(const PassOption& o) {
  switch (o.kind) {
    case OptionKind::Int:
      return "int";
    case OptionKind::Float:
      return "float";
    case OptionKind::Bool:
      return "bool";
    case OptionKind::Choice: {
      std::string s;
      for (const auto& c : o.choices) s += (s.empty() ? "" : "|") + c;
      return s;
    }
    case OptionKind::String:
      return "string";
  }
  return "string";
}

}  // namespace lmc::passes
