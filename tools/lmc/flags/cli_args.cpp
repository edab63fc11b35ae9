#include "tools/lmc/flags/cli_args.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iostream>
#include <set>

#include "support/spelling.h"
#include "tools/lmc/llama/version_text.h"

namespace lmc::tools {

namespace {

std::string dashed(const std::string& name) { return (name.size() == 1 ? "-" : "--") + name; }

// CLI11's name list: "--name,--alias,-x".
std::string cli_names(const FlagSpec& f) {
  std::string s = dashed(f.name);
  for (const auto& a : f.aliases) s += "," + dashed(a);
  if (!f.short_name.empty()) s += ",-" + f.short_name;
  return s;
}

// CLI11 reports a missing value as "--name: 1 required VALUE missing".
UsageError usage_error(const CLI::ParseError& e) {
  std::string what = e.what();
  size_t colon = what.find(':');
  if (dynamic_cast<const CLI::ArgumentMismatch*>(&e) && colon != std::string::npos &&
      what.find("missing") != std::string::npos)
    return UsageError("option '" + what.substr(0, colon) + "' needs a value");
  return UsageError(what);
}

// Every spelling of the command's flags: "--name", "--alias", "-x", "-np".
std::map<std::string, const FlagSpec*> spellings_of(const std::vector<FlagSpec>& specs) {
  std::map<std::string, const FlagSpec*> out;
  for (const FlagSpec& f : specs) {
    out.emplace(dashed(f.name), &f);
    for (const auto& a : f.aliases) out.emplace(dashed(a), &f);
    if (!f.short_name.empty()) out.emplace("-" + f.short_name, &f);
    for (const auto& n : f.llama_names) out.emplace("-" + n, &f);
  }
  return out;
}

// `-xyz`: a name of several letters after one dash, which CLI11 would read as `-x yz`.
bool letters_after_one_dash(const std::string& name) {
  return name.size() > 2 && name[0] == '-' && name[1] != '-' &&
         std::all_of(name.begin() + 1, name.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

// The command's flag spelled by one of `spellings`, or null.
const FlagSpec* flag_spelled(const std::vector<std::string>& spellings,
                             const std::map<std::string, const FlagSpec*>& known) {
  for (const auto& s : spellings)
    if (auto it = known.find(s); it != known.end()) return it->second;
  return nullptr;
}

// A spelling this command does not have: llama.cpp's (for the tool the command stands for)
// becomes the command's own flag for the same option and sense (`--display-prompt` is never
// lmc's --no-display-prompt; a noted flag may take either), or a refusal naming it; any
// other `-xyz` is unknown. Returns the spelling to parse, or "" to leave `name` to CLI11.
std::string own_spelling(const std::string& name, const std::map<std::string, const FlagSpec*>& known, LlamaTool tool) {
  if (known.count(name)) return "";
  if (const LlamaOption* o = find_llama_option(name, tool)) {
    const bool negated = std::find(o->negations.begin(), o->negations.end(), name) != o->negations.end();
    const auto& same = negated ? o->negations : o->spellings;
    const auto& other = negated ? o->spellings : o->negations;
    if (const FlagSpec* f = flag_spelled(same, known)) return dashed(f->name);
    if (const FlagSpec* f = flag_spelled(other, known); f && !f->inert.empty()) return dashed(f->name);
    std::string long_name = name;
    for (const auto& s : o->spellings)
      if (s.rfind("--", 0) == 0) long_name = s;
    throw UsageError("option '" + name + "' is llama.cpp's " + long_name + ", which lmc does not take here");
  }
  // LLVM's and MLIR's tools take a long option after one dash (`-verify-each`, `-stats`).
  if (name.size() > 2 && name[1] != '-')
    if (auto it = known.find("-" + name); it != known.end()) return dashed(it->second->name);
  if (letters_after_one_dash(name)) {
    std::vector<std::string> names;
    for (const auto& [n, f] : known) names.push_back(n);
    throw UsageError("unknown option '" + name + "'" + did_you_mean(name, names));
  }
  return "";
}

// The values an optional-value flag may take when its value_name lists them ("on|off|auto").
std::vector<std::string> choices_of(const FlagSpec& f) {
  std::vector<std::string> out = split_bars(f.value_name);
  return out.size() > 1 ? out : std::vector<std::string>{};
}

// llama.cpp's options that lmc notes take their value as llama.cpp does (`--color on`), but
// one followed by a flag stands alone (`-co -sp`): a bare optional-value flag of lmc's own
// (`--print-changed FILE`) never takes the next argument. Args checks the value.
bool takes_llama_value(const FlagSpec& f) { return f.optional_value && !f.inert.empty(); }

std::vector<std::string> with_choices_joined(const std::vector<std::string>& args,
                                             const std::map<std::string, const FlagSpec*>& known) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    auto it = known.find(args[i]);
    if (it == known.end() || !takes_llama_value(*it->second) || i + 1 == args.size() ||
        args[i + 1].rfind('-', 0) == 0) {
      out.push_back(args[i]);
      continue;
    }
    out.push_back(args[i] + "=" + args[i + 1]);
    ++i;
  }
  return out;
}

// argv[first..] with llama.cpp's spellings (`-np 2`, `-ngl=99`, `-tb 2`) as the long names
// of the command's flags they stand for.
std::vector<std::string> respelled(const std::vector<FlagSpec>& specs, int argc, char** argv, int first,
                                   LlamaTool tool) {
  const std::map<std::string, const FlagSpec*> known = spellings_of(specs);
  std::map<std::string, std::string> long_name;
  for (const FlagSpec& f : specs)
    for (const auto& n : f.llama_names) long_name["-" + n] = dashed(f.name);
  std::vector<std::string> out;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq), rest = eq == std::string::npos ? "" : arg.substr(eq);
    if (auto it = long_name.find(name); it != long_name.end()) {
      out.push_back(it->second + rest);
    } else if (std::string own = arg.size() > 1 && arg[0] == '-' && arg != "--" ? own_spelling(name, known, tool) : "";
               !own.empty()) {
      out.push_back(own + rest);
    } else {
      out.push_back(arg);
    }
  }
  return with_choices_joined(out, known);
}

}  // namespace

Args::Args(std::vector<FlagSpec> specs, int argc, char** argv, int first, LlamaTool tool) {
  words_.push_back("lmc");
  for (int i = 1; i < argc; ++i) words_.push_back(argv[i]);
  CLI::App app;
  app.set_help_flag();     // --help is a FlagSpec of each command, which prints its own help
  app.allow_extras(true);  // unknown flags become one usage error with a suggestion, below
  std::vector<std::pair<const FlagSpec*, CLI::Option*>> options;
  std::set<std::string> seen;
  for (const FlagSpec& f : specs) {
    if (!seen.insert(f.name).second) continue;  // commands compose tables that may repeat a flag
    CLI::Option* o = f.takes_value ? app.add_option(cli_names(f), f.help) : app.add_flag(cli_names(f), f.help);
    if (f.takes_value) o->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->expected(f.optional_value ? 0 : 1, 1);
    options.emplace_back(&f, o);
  }
  app.add_option("positional", positional_);
  // Two spellings CLI11 would read differently: a bare optional-value flag takes the next
  // argument (`--print-changed FILE` must leave FILE positional), and `--name=` with nothing
  // after the sign takes the next argument too (`--system=` means an empty value). Both
  // are counted here and not passed on.
  std::map<std::string, const FlagSpec*> spelled;
  for (const FlagSpec& f : specs) {
    spelled[dashed(f.name)] = &f;
    for (const auto& alias : f.aliases) spelled[dashed(alias)] = &f;
  }
  auto counted_here = [&](const std::string& arg) -> const FlagSpec* {
    bool empty_value = arg.size() > 1 && arg.back() == '=';
    auto it = spelled.find(empty_value ? arg.substr(0, arg.size() - 1) : arg);
    if (it == spelled.end() || !it->second->takes_value) return nullptr;
    return empty_value || it->second->optional_value ? it->second : nullptr;
  };
  std::vector<std::string> args;
  const std::vector<std::string> given = respelled(specs, argc, argv, first, tool);
  for (auto arg = given.rbegin(); arg != given.rend(); ++arg) {  // CLI11 parses a reversed list
    if (const FlagSpec* f = counted_here(*arg))
      values_[f->name].push_back("");
    else
      args.push_back(*arg);
  }
  try {
    app.parse(args);
  } catch (const CLI::ParseError& e) {
    throw usage_error(e);
  }
  for (const std::string& extra : app.remaining()) {
    if (extra.size() < 2 || extra[0] != '-') {
      positional_.push_back(extra);
      continue;
    }
    std::string name = extra.substr(0, extra.find('='));
    std::vector<std::string> names;
    for (const auto& [f, o] : options) {
      names.push_back(dashed(f->name));
      for (const auto& alias : f->aliases) names.push_back(dashed(alias));
    }
    throw UsageError("unknown option '" + name + "'" + did_you_mean(name, names));
  }
  for (const auto& [f, o] : options) {
    if (o->count() == 0) continue;
    std::vector<std::string> values = o->results();
    // A flag, or an optional value given without one, counts once with an empty value.
    if (!f->takes_value || values.empty()) values.assign(std::max<size_t>(1, values.size()), "");
    auto& kept = values_[f->name];
    kept.insert(kept.end(), values.begin(), values.end());
  }
  std::set<std::string> said;
  for (const FlagSpec& f : specs)
    if (!f.inert.empty() && has(f.name) && said.insert(f.name).second)
      std::cerr << "lmc: --" << f.name << " does nothing here: " << f.inert << "\n";
  for (const FlagSpec& f : specs) check_choice(f);
}

void Args::check_choice(const FlagSpec& f) const {
  auto given = values_.find(f.name);
  if (!takes_llama_value(f) || given == values_.end()) return;
  const std::vector<std::string> choices = choices_of(f);
  for (const std::string& v : choices.empty() ? std::vector<std::string>{} : given->second)
    if (!v.empty() && std::find(choices.begin(), choices.end(), v) == choices.end())
      throw UsageError("option '--" + f.name + "' expects " + f.value_name + ", got '" + v + "'");
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
    throw UsageError("option '--" + name + "' must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     ", got " + *v);
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
    throw UsageError("option '--" + name + "' must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     ", got " + *v);
  return out;
}

std::string Args::help_text(const std::vector<FlagSpec>& specs) {
  std::string s;
  std::set<std::string> seen;
  for (const auto& f : specs) {
    if (!seen.insert(f.name).second) continue;
    std::string value = f.optional_value ? "[=" + f.value_name + "]" : "=" + f.value_name;
    std::string left = "  " + dashed(f.name) + (f.takes_value ? value : "");
    for (const auto& a : f.aliases) left += ", " + dashed(a);
    if (!f.short_name.empty()) left += ", -" + f.short_name;
    for (const auto& n : f.llama_names) left += ", -" + n;
    if (left.size() < 30)
      left.resize(30, ' ');
    else
      left += "\n" + std::string(30, ' ');
    s += left + f.help + "\n";
  }
  return s;
}

std::optional<Args> command_args(const std::vector<FlagSpec>& specs, int argc, char** argv, const std::string& usage,
                                 LlamaTool tool) {
  Args a(specs, argc, argv, 2, tool);
  if (a.has("version")) {
    std::cout << version_text();
    return std::nullopt;
  }
  if (!a.has("help")) return a;
  std::cout << usage << Args::help_text(specs);
  return std::nullopt;
}

}  // namespace lmc::tools
