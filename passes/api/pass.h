// A pass transforms a graph in place and says whether it changed it, with
// human-readable statistics ("fused 18 QKV triples") and per-decision remarks. It
// declares its options; the pass manager gives it their values before it runs.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/api/pass_context.h"
#include "passes/api/pass_option.h"

namespace lmc::passes {

struct PassResult {
  bool changed = false;
  std::vector<std::string> stats;
};

class Pass {
 public:
  virtual ~Pass() = default;
  // The name the pass is registered under (PassRegistry::create gives it); a plugin's pass
  // may also say it itself.
  virtual std::string name() const { return name_; }
  virtual std::string summary() const = 0;
  virtual PassResult run(ir::Graph& g, PassContext& ctx) = 0;
  virtual std::vector<PassOption> options() const { return {}; }
  // The places of `g` its pattern matches, its guards not asked, each as the names of the
  // values its matched ops define: what a placement explanation (passes/placement.h)
  // follows through the passes placed before it. nullopt for a pass without a pattern.
  using Place = std::vector<std::string>;
  virtual std::optional<std::vector<Place>> candidates(ir::Graph& g) const {
    (void)g;
    return std::nullopt;
  }

  // Values checked against options() by the pass manager; absent ones take the default.
  void configure(OptionValues values) { values_ = std::move(values); }
  const OptionValues& option_values() const { return values_; }

 protected:
  // The option's value, or its declared default; nullopt when neither is set.
  std::optional<std::string> option(const std::string& name) const;
  // An Int option (already range-checked), or `dflt` when unset.
  int64_t int_option(const std::string& name, int64_t dflt) const;
  // A Float option (already checked finite and in range), or `dflt` when unset.
  double float_option(const std::string& name, double dflt) const;

 private:
  friend class PassRegistry;
  OptionValues values_;
  std::string name_;
};

}  // namespace lmc::passes
