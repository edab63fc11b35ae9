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
  // Throws lmc::Error when the name is taken, naming where the first came from.
  void add(const std::string& name, PassFactory f);
  std::unique_ptr<Pass> create(const std::string& name) const;  // nullptr if unknown
  std::vector<std::string> names() const;
  // Where the pass `name` was registered from ("built into lmc from passes/transforms/dce.cpp",
  // "plugin /p/lib.so", "/p/my.pass:1:6"); "" when it is not registered.
  std::string origin(const std::string& name) const;

 private:
  friend class PassOrigin;
  struct Entry {
    std::string name;
    PassFactory factory;
    std::string origin;
  };
  PassRegistry();
  void add(const std::string& name, PassFactory f, std::string origin);
  std::vector<Entry> entries_;
  std::string origin_;  // of the passes being added
};

// While it lives, the passes added to the registry come from `origin` (a plugin's library,
// a pass file's `pass` line): a name registered twice then says where both came from.
class PassOrigin {
 public:
  explicit PassOrigin(std::string origin);
  ~PassOrigin();
  PassOrigin(const PassOrigin&) = delete;
  PassOrigin& operator=(const PassOrigin&) = delete;

 private:
  std::string previous_;
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
