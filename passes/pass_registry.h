// Pass names to factories: the built-in passes and those plugins register.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "passes/pass.h"

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
// "a,b,c", "none" or "default" -> pass names; throws lmc::Error on an unknown pass.
std::vector<std::string> parse_pipeline(const std::string& text);

}  // namespace lmc::passes
