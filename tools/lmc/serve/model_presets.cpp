#include "tools/lmc/serve/model_presets.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "tools/lmc/flags/cli_args.h"
#include "tools/lmc/serve/router_flags.h"

namespace lmc::tools {

namespace {

struct Value {
  std::string text;
  int line = 0;
};

struct Section {
  std::string name;
  int line = 0;
  std::map<std::string, Value> keys;
};

std::string trimmed(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t\r"), last = s.find_last_not_of(" \t\r");
  return first == std::string::npos ? "" : s.substr(first, last - first + 1);
}

// The file's sections, "*" among them; its top-level keys (version) in the one named "".
std::vector<Section> sections_of(const std::string& file) {
  std::ifstream in(file);
  if (!in) throw UsageError("--models-preset: cannot read '" + file + "'");
  std::vector<Section> out{{"", 0, {}}};
  std::string raw;
  for (int n = 1; std::getline(in, raw); ++n) {
    const std::string line = trimmed(raw);
    const std::string where = file + ":" + std::to_string(n) + ": ";
    if (line.empty() || line[0] == ';' || line[0] == '#') continue;
    if (line.front() == '[') {
      if (line.back() != ']' || line.size() < 3) throw UsageError(where + "a section is [NAME]");
      out.push_back({trimmed(line.substr(1, line.size() - 2)), n, {}});
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string::npos) throw UsageError(where + "expected KEY = VALUE or [NAME], got '" + line + "'");
    const std::string key = trimmed(line.substr(0, eq));
    if (key.rfind("LLAMA_ARG_", 0) == 0)
      throw UsageError(where + "lmc reads a preset's flags by name (ctx-size, not LLAMA_ARG_CTX_SIZE): '" + key + "'");
    out.back().keys[key] = {trimmed(line.substr(eq + 1)), n};
  }
  return out;
}

bool is_true(const std::string& v) { return v == "true" || v == "1" || v == "on" || v == "yes"; }
bool is_false(const std::string& v) { return v == "false" || v == "0" || v == "off" || v == "no"; }

// `key = value` as lmc serve's flags: a switch alone (none when false), else with its value;
// a one-letter key is a short flag, a longer one a long flag or llama.cpp's one-dash name (np).
std::vector<std::string> flags_of(const std::string& key, const Value& v, const std::string& where,
                                  const FlagCheck& check) {
  if (owned_by_router("--" + key) || (key.size() == 1 && owned_by_router("-" + key)))
    throw UsageError(where + "'" + key + "' is the router's own flag, not a model's: give it on its command line");
  const std::vector<std::string> spellings =
      key.size() == 1 ? std::vector<std::string>{"-" + key} : std::vector<std::string>{"--" + key, "-" + key};
  std::string why;
  for (const std::string& s : spellings) {
    try {
      if (is_true(v.text) || is_false(v.text)) {
        check({s});  // a switch
        return is_true(v.text) ? std::vector<std::string>{s} : std::vector<std::string>{};
      }
    } catch (const UsageError&) {  // not a switch: a flag whose value reads as one
    }
    try {
      check({s, v.text});
      return {s, v.text};
    } catch (const UsageError& e) {
      if (why.empty()) why = e.what();
    }
  }
  throw UsageError(where + why);
}

RouterModel* model_named(std::vector<RouterModel>& models, const std::string& name) {
  auto it = std::find_if(models.begin(), models.end(), [&](const RouterModel& m) { return m.name == name; });
  return it == models.end() ? nullptr : &*it;
}

// A model's preset: its keys over [*]'s, into `m`.
void apply(const Section& s, const Section& all, const std::string& file, const FlagCheck& check, RouterModel& m) {
  std::map<std::string, Value> keys = all.keys;
  for (const auto& [k, v] : s.keys) keys[k] = v;
  m.args.clear();
  for (const auto& [key, v] : keys) {
    const std::string where = file + ":" + std::to_string(v.line) + ": ";
    if (key == "model" || key == "dedup-cache-models") continue;
    if (key == "load-on-startup") {
      if (!is_true(v.text) && !is_false(v.text)) throw UsageError(where + "load-on-startup is true or false");
      m.load_on_startup = is_true(v.text);
    } else if (key == "stop-timeout") {
      if (v.text.empty() || v.text.find_first_not_of("0123456789") != std::string::npos || v.text.size() > 6)
        throw UsageError(where + "stop-timeout is a number of seconds, got '" + v.text + "'");
      m.stop_timeout = std::chrono::seconds(std::stoi(v.text));
    } else {
      for (std::string& f : flags_of(key, v, where, check)) m.args.push_back(std::move(f));
    }
  }
}

}  // namespace

void apply_presets(const std::string& file, const FlagCheck& check, std::vector<RouterModel>& models) {
  std::vector<Section> sections = sections_of(file);
  for (const auto& [key, v] : sections.front().keys)
    if (key != "version")
      throw UsageError(file + ":" + std::to_string(v.line) + ": '" + key + "' before any [section] (only version)");
  Section all{"*", 0, {}};
  for (const Section& s : sections)
    if (s.name == "*") all = s;
  for (RouterModel& m : models) apply(Section{}, all, file, check, m);
  for (const Section& s : sections) {
    if (s.name.empty() || s.name == "*") continue;
    RouterModel* m = model_named(models, s.name);
    const auto path = s.keys.find("model");
    if (!m && path == s.keys.end())
      throw UsageError(file + ":" + std::to_string(s.line) + ": [" + s.name +
                       "] is no model of --models-dir and names no file (model = PATH; lmc reads local files)");
    if (!m) {
      models.emplace_back();
      m = &models.back();
      m->name = s.name;
      m->source = "preset";
    }
    if (path != s.keys.end()) {
      if (!std::filesystem::exists(path->second.text))
        throw UsageError(file + ":" + std::to_string(path->second.line) + ": model '" + path->second.text +
                         "' is not there");
      m->path = path->second.text;
    }
    apply(s, all, file, check, *m);
  }
  std::sort(models.begin(), models.end(), [](const RouterModel& a, const RouterModel& b) { return a.name < b.name; });
}

}  // namespace lmc::tools
