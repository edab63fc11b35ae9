#include "tools/cli_args.h"

#include <charconv>

#include "ir/spelling.h"

namespace lmc::tools {

Args::Args(std::vector<FlagSpec> specs, int argc, char** argv, int first) {
  for (int i = first; i < argc; ++i) {
    std::string a = argv[i];
    if (a.size() == 2 && a[0] == '-' && a[1] != '-') a = "-" + a;  // -o is --o
    if (a.size() < 3 || a.rfind("--", 0) != 0) {
      if (a.size() > 1 && a[0] == '-' && a != "-") throw UsageError("unknown option '" + a + "'");
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const FlagSpec* spec = nullptr;
    for (const auto& s : specs)
      if (s.name == name) spec = &s;
    if (!spec) {
      std::vector<std::string> names;
      for (const auto& s : specs) names.push_back("--" + s.name);
      throw UsageError("unknown option '--" + name + "'" + did_you_mean("--" + name, names));
    }
    if (spec->takes_value && !inline_value && !spec->optional_value) {
      if (i + 1 >= argc) throw UsageError("option '--" + name + "' needs a value");
      value = argv[++i];
    } else if (!spec->takes_value && inline_value) {
      throw UsageError("option '--" + name + "' takes no value");
    }
    values_[name].push_back(value);
  }
}

std::optional<std::string> Args::get(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.back();
}

std::string Args::get_or(const std::string& name, const std::string& dflt) const { return get(name).value_or(dflt); }

const std::vector<std::string>& Args::all(const std::string& name) const {
  static const std::vector<std::string> none;
  auto it = values_.find(name);
  return it == values_.end() ? none : it->second;
}

int64_t Args::get_int(const std::string& name, int64_t dflt, int64_t min, int64_t max) const {
  auto v = get(name);
  if (!v) return dflt;
  int64_t out = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), out);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size())
    throw UsageError("option '--" + name + "' expects an integer, got '" + *v + "'");
  if (out < min || out > max)
    throw UsageError("option '--" + name + "' must be between " + std::to_string(min) + " and " +
                     std::to_string(max) + ", got " + *v);
  return out;
}

double Args::get_double(const std::string& name, double dflt, double min, double max) const {
  auto v = get(name);
  if (!v) return dflt;
  double out = 0;
  auto r = std::from_chars(v->data(), v->data() + v->size(), out);
  if (r.ec != std::errc() || r.ptr != v->data() + v->size())
    throw UsageError("option '--" + name + "' expects a number, got '" + *v + "'");
  if (!(out >= min && out <= max))
    throw UsageError("option '--" + name + "' must be between " + std::to_string(min) + " and " +
                     std::to_string(max) + ", got " + *v);
  return out;
}

std::string Args::help_text(const std::vector<FlagSpec>& specs) {
  std::string s;
  for (const auto& f : specs) {
    std::string value = f.optional_value ? "[=" + f.value_name + "]" : "=" + f.value_name;
    std::string left = "  --" + f.name + (f.takes_value ? value : "");
    if (left.size() < 30) left.resize(30, ' ');
    else left += "\n" + std::string(30, ' ');
    s += left + f.help + "\n";
  }
  return s;
}

}  // namespace lmc::tools
