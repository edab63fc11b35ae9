// A pass declares its options (Pass::options()): each has a name used in pipeline text
// (`quant-threshold{min-dim=1024}`), a kind its values are checked against, help text, a
// default, and the command-line flag that sets it for every run of the pass
// (`--quant-min-dim`). The CLI builds its flags from these declarations, so a pass owns
// its options wherever it comes from (built in or a plugin).
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace lmc::passes {

enum class OptionKind { Int, Float, Bool, Choice, String };

struct PassOption {
  std::string name;
  OptionKind kind = OptionKind::String;
  std::string help;
  std::string default_value;          // "" when the pass derives it (said in the help)
  std::vector<std::string> choices;   // the values a Choice takes
  std::string flag;                   // command-line flag; "" means <pass>-<name>
  int64_t min = std::numeric_limits<int64_t>::min();  // an Int's range
  int64_t max = std::numeric_limits<int64_t>::max();
  double low = -std::numeric_limits<double>::infinity();  // a Float's range; its values are finite
  double high = std::numeric_limits<double>::infinity();
};

// Option values as written (name -> text); absent names take the declared default.
using OptionValues = std::map<std::string, std::string>;

// The flag that sets `o` of the pass named `pass`, without dashes.
std::string option_flag(const PassOption& o, const std::string& pass);

// "" when `value` suits `o`, else why not ("expects an integer in [1, 1099511627776], got 'x'").
std::string option_value_problem(const PassOption& o, const std::string& value);

// "int", "float", "bool", "rule|measured", "string": the value syntax for help text.
std::string option_value_syntax(const PassOption& o);

}  // namespace lmc::passes
