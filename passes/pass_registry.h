// Pass names to factories: the built-in passes and those plugins register.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "passes/api/pass.h"
#include "passes/api/pass_option.h"

namespace lmc::passes {

using PassFactory = std::function<std::unique_ptr<Pass>()>;

class PassRegistry {
 public:
  static PassRegistry& instance();  // holds the built-in passes from the start
  void add(const std::string& name, PassFactory f);
  std::unique_ptr<Pass> create(const std::string& name) const;  // nullptr if unknown
  std::vector<std::string> names() const;

 private:
  PassRegistry();
  std::vector<std::pair<std::string, PassFactory>> entries_;
};

// The pipeline `lmc compile` runs when no --passes is given.
const char* default_pipeline();
// What every compile ends with, whatever the user's pipeline: weight transforms folded
// into packed weights (they must not run per step), then dead ops removed.
const char* mandatory_pipeline();
// " (did you mean 'x'?)" for a name close to one of `names`, else " (known: a, b, ...)": a
// user who mistyped needs the one, a user who guessed needs the list.
std::string pass_name_hint(const std::string& name, const std::vector<std::string>& names);
// "" when a pass of that name is registered, else "unknown pass 'x' (did you mean 'y'?)".
std::string pass_name_problem(const std::string& name);
// Every registered pass's options with the pass's name, in registry order.
std::vector<std::pair<std::string, PassOption>> registered_options();

// Throws lmc::Error "<where>: unknown pass option 'x' (did you mean ...)" unless every key of
// `flags` names an option flag of a registered pass, and "<where>: <flag>: ..." for a value
// that does not suit it.
void check_option_flags(const OptionValues& flags, const std::string& where);

}  // namespace lmc::passes
