#include "passes/pass_registry.h"

#include <sstream>

#include "ir/error.h"
#include "passes/builtin_passes.h"

namespace lmc::passes {

PassRegistry& PassRegistry::instance() {
  static PassRegistry r;
  return r;
}

PassRegistry::PassRegistry() {
  add("fuse-qkv", create_fuse_qkv_pass);
  add("fuse-gate-up", create_fuse_gate_up_pass);
  add("quant-threshold", create_quant_threshold_pass);
  add("fuse-down-act", create_fuse_down_act_pass);
  add("fuse-norm-linear", create_fuse_norm_linear_pass);
  add("fuse-residual", create_fuse_residual_pass);
  add("fuse-elementwise", create_fuse_elementwise_pass);
  add("fold-weights", create_fold_weights_pass);
  add("dce", create_dce_pass);
}

void PassRegistry::add(const std::string& name, PassFactory f) {
  for (auto& e : entries_)
    if (e.first == name) throw Error("pass '" + name + "' is registered twice");
  entries_.emplace_back(name, std::move(f));
}

std::unique_ptr<Pass> PassRegistry::create(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.first == name) return e.second();
  return nullptr;
}

std::vector<std::string> PassRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.first);
  return out;
}

const char* default_pipeline() { return "fuse-qkv,fuse-gate-up,quant-threshold,fuse-down-act,fuse-norm-linear,fuse-residual,fuse-elementwise,fold-weights,dce"; }

std::vector<std::string> parse_pipeline(const std::string& text) {
  if (text == "none" || text.empty()) return {};
  std::string spec = text == "default" ? default_pipeline() : text;
  std::vector<std::string> out;
  std::stringstream ss(spec);
  for (std::string name; std::getline(ss, name, ',');) {
    if (!PassRegistry::instance().create(name)) {
      std::string known;
      for (const auto& n : PassRegistry::instance().names()) known += (known.empty() ? "" : ", ") + n;
      throw Error("--passes: unknown pass '" + name + "' (known: " + known + ")");
    }
    out.push_back(name);
  }
  return out;
}

}  // namespace lmc::passes
