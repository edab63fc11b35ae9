#include "passes/pass_registry.h"

#include <utility>

#include "passes/text/builtin_text_pass.h"
#include "passes/transforms/builtin_passes.h"
#include "support/error.h"
#include "support/spelling.h"

namespace lmc::passes {

PassRegistry& PassRegistry::instance() {
  static PassRegistry r;
  return r;
}

PassRegistry::PassRegistry() {
#define LMC_PASS(name, stem) add(name, create_##stem##_pass, "built into lmc from passes/transforms/" #stem ".cpp");
#define LMC_TEXT_PASS(name, stem) \
  add(name, text::builtin_text_pass(name, #stem), "built into lmc from passes/text/builtin/" #stem ".pass");
#define LMC_OPT_IN_PASS(name, stem) LMC_PASS(name, stem)
#include "passes/transforms/builtin_passes.def"
#undef LMC_OPT_IN_PASS
#undef LMC_TEXT_PASS
#undef LMC_PASS
  origin_ = "a plugin";  // until one says which (PassOrigin)
}

void PassRegistry::add(const std::string& name, PassFactory f) { add(name, std::move(f), origin_); }

void PassRegistry::add(const std::string& name, PassFactory f, std::string origin) {
  for (auto& e : entries_)
    if (e.name == name) throw Error("pass '" + name + "' is already registered (the first: " + e.origin + ")");
  entries_.push_back({name, std::move(f), std::move(origin)});
}

std::unique_ptr<Pass> PassRegistry::create(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) {
      std::unique_ptr<Pass> p = e.factory();
      p->name_ = name;
      return p;
    }
  return nullptr;
}

std::vector<std::string> PassRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.name);
  return out;
}

std::string PassRegistry::origin(const std::string& name) const {
  for (const auto& e : entries_)
    if (e.name == name) return e.origin;
  return "";
}

PassOrigin::PassOrigin(std::string origin)
    : previous_(std::exchange(PassRegistry::instance().origin_, std::move(origin))) {}

PassOrigin::~PassOrigin() { PassRegistry::instance().origin_ = std::move(previous_); }

const char* default_pipeline() {
  static const std::string p = [] {
    std::string names;
#define LMC_PASS(name, stem) names += std::string(names.empty() ? "" : ",") + name;
#define LMC_TEXT_PASS LMC_PASS
#define LMC_OPT_IN_PASS(name, stem)
#include "passes/transforms/builtin_passes.def"
#undef LMC_OPT_IN_PASS
#undef LMC_TEXT_PASS
#undef LMC_PASS
    return names;
  }();
  return p.c_str();
}

const char* mandatory_pipeline() { return "fold-weights,dce"; }

std::string pass_name_hint(const std::string& name, const std::vector<std::string>& names) {
  if (auto hint = did_you_mean(name, names); !hint.empty()) return hint;
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  return " (known: " + known + ")";
}

std::string pass_name_problem(const std::string& name) {
  auto names = PassRegistry::instance().names();
  for (const auto& n : names)
    if (n == name) return "";
  return "unknown pass '" + name + "'" + pass_name_hint(name, names);
}

std::vector<std::pair<std::string, PassOption>> registered_options() {
  std::vector<std::pair<std::string, PassOption>> out;
  for (const auto& name : PassRegistry::instance().names())
    for (const auto& o : PassRegistry::instance().create(name)->options()) out.emplace_back(name, o);
  return out;
}

void check_option_flags(const OptionValues& flags, const std::string& where) {
  auto known = registered_options();
  std::vector<std::string> known_flags;
  for (const auto& [pass, o] : known) known_flags.push_back(option_flag(o, pass));
  for (const auto& [flag, value] : flags) {
    const PassOption* match = nullptr;
    for (const auto& [pass, o] : known)
      if (option_flag(o, pass) == flag) match = &o;
    if (!match) throw Error(where + ": unknown pass option '" + flag + "'" + did_you_mean(flag, known_flags));
    if (auto why = option_value_problem(*match, value); !why.empty()) throw Error(where + ": " + flag + ": " + why);
  }
}

}  // namespace lmc::passes
