#include "models/model_def.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <filesystem>
#include <map>

#include "models/chat/chat_format.h"
#include "support/error.h"
#include "support/regular_file.h"
#include "support/untrusted_text.h"

namespace lmc::models {

namespace {

std::string where_of(const std::string& path, const YAML::Node& n) {
  YAML::Mark m = n.Mark();
  if (m.line < 0) return path;
  return path + ":" + std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool is_ident(const std::string& s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  return true;
}

// Splits at commas outside brackets, parentheses and quotes.
std::vector<std::string> split_top_level(const std::string& s, const std::string& where) {
  std::vector<std::string> out;
  int depth = 0;
  char quote = 0;
  std::string cur;
  for (char c : s) {
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '(' || c == '[') {
      ++depth;
    } else if (c == ')' || c == ']') {
      if (--depth < 0) throw error_at(where, "unbalanced brackets in '" + excerpt(s) + "'");
    } else if (c == ',' && depth == 0) {
      out.push_back(trim(cur));
      cur.clear();
      continue;
    }
    cur += c;
  }
  if (quote || depth) throw error_at(where, "unbalanced brackets or quotes in '" + excerpt(s) + "'");
  if (!trim(cur).empty() || !out.empty()) out.push_back(trim(cur));
  return out;
}

Statement::Arg parse_arg(const std::string& a, const std::string& where) {
  if (a.empty()) throw error_at(where, "empty argument");
  if (a.rfind("@?", 0) == 0) return {Statement::Arg::OptionalWeight, "", trim(a.substr(2))};
  if (a[0] == '@') return {Statement::Arg::Weight, "", trim(a.substr(1))};
  size_t eq = a.find('=');
  if (eq != std::string::npos && a.compare(eq, 2, "==") != 0 && is_ident(trim(a.substr(0, eq))))
    return {Statement::Arg::Attr, trim(a.substr(0, eq)), trim(a.substr(eq + 1))};
  if (!is_ident(a))
    throw error_at(where, "argument '" + excerpt(a) + "' is neither a value name, a @weight, nor key = value");
  return {Statement::Arg::Value, "", a};
}

std::string scalar(const std::string& path, const YAML::Node& n, const std::string& what) {
  if (!n.IsScalar()) throw error_at(where_of(path, n), what + " must be a scalar");
  return n.as<std::string>();
}

Located located(const std::string& path, const YAML::Node& n, const std::string& what) {
  return {scalar(path, n, what), where_of(path, n)};
}

std::vector<std::pair<std::string, Located>> read_params(const std::string& path, const YAML::Node& n) {
  std::vector<std::pair<std::string, Located>> out;
  if (!n) return out;
  if (!n.IsMap()) throw error_at(where_of(path, n), "expected a mapping of name: expression");
  for (const auto& kv : n) {
    std::string name = scalar(path, kv.first, "a parameter name");
    if (!is_ident(name))
      throw error_at(where_of(path, kv.first), "'" + excerpt(name) + "' is not a valid parameter name");
    out.emplace_back(name, located(path, kv.second, "parameter '" + name + "'"));
  }
  return out;
}

// The inputs: section: name: [dim, ...], each dim an expression or T.
std::vector<std::pair<std::string, std::vector<Located>>> read_inputs(const std::string& path, const YAML::Node& n) {
  std::vector<std::pair<std::string, std::vector<Located>>> out;
  if (!n) return out;
  if (!n.IsMap()) throw error_at(where_of(path, n), "expected a mapping of input name: [dims]");
  for (const auto& kv : n) {
    std::string name = scalar(path, kv.first, "an input name");
    if (!is_ident(name) || name == "tokens" || name == "positions" || name == "seq" || name == "key_ends")
      throw error_at(where_of(path, kv.first), "'" + excerpt(name) + "' is not a new input name");
    if (!kv.second.IsSequence() || kv.second.size() == 0)
      throw error_at(where_of(path, kv.second), "input '" + name + "' must be a list of dims");
    std::vector<Located> dims;
    for (const auto& d : kv.second) dims.push_back(located(path, d, "a dim of input '" + name + "'"));
    out.emplace_back(name, std::move(dims));
  }
  return out;
}

// The passes: section: option flags (quant-min-dim) to values, expressions or bare words.
std::map<std::string, Located> read_pass_options(const std::string& path, const YAML::Node& n) {
  std::map<std::string, Located> out;
  if (!n) return out;
  if (!n.IsMap()) throw error_at(where_of(path, n), "expected a mapping of option flag: value");
  for (const auto& kv : n) {
    std::string flag = scalar(path, kv.first, "a pass option flag");
    bool ok = !flag.empty() && std::isalpha(static_cast<unsigned char>(flag[0]));
    for (char c : flag) ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-');
    if (!ok) throw error_at(where_of(path, kv.first), "'" + excerpt(flag) + "' is not a pass option flag");
    out[flag] = located(path, kv.second, "pass option '" + flag + "'");
  }
  return out;
}

std::vector<Statement> read_statements(const std::string& path, const YAML::Node& n, const char* section,
                                       bool required) {
  std::vector<Statement> out;
  if (!n) {
    if (required) throw error_at(path, std::string("missing section '") + section + "'");
    return out;
  }
  if (!n.IsSequence()) throw error_at(where_of(path, n), std::string("'") + section + "' must be a list of statements");
  for (const auto& s : n) out.push_back(parse_statement(scalar(path, s, "a statement"), where_of(path, s)));
  return out;
}

std::string resolve(const std::string& base_file, const std::string& p) {
  namespace fs = std::filesystem;
  if (p.empty() || fs::path(p).is_absolute()) return p;
  return (fs::path(base_file).parent_path() / p).lexically_normal().string();
}

std::string known_families() {
  std::string out;
  for (const auto& n : chat_family_names()) out += (out.empty() ? "" : ", ") + n;
  return out;
}

ir::ChatFormat family_named(const std::string& path, const YAML::Node& n) {
  std::string name = scalar(path, n, "a chat format");
  auto f = chat_family(name);
  if (!f)
    throw error_at(where_of(path, n), "unknown chat format '" + excerpt(name) + "' (known: " + known_families() + ")");
  return *f;
}

// One turn text for every role, "{role}" replaced by the role's name in the model's own words.
ir::ChatFormat custom_format(const std::string& path, const YAML::Node& n) {
  ir::ChatFormat f;
  f.family = "custom";
  std::map<std::string, std::string> names;
  if (n["roles"]) {
    if (!n["roles"].IsMap()) throw error_at(where_of(path, n["roles"]), "'chat.roles' must be a mapping");
    for (const auto& kv : n["roles"]) names[scalar(path, kv.first, "a role name")] = scalar(path, kv.second, "a role");
  }
  if (n["system_merge"]) f.system_merge = scalar(path, n["system_merge"], "chat.system_merge");
  f.turns = turns_of(scalar(path, n["turn"], "chat.turn"), names, f.system_merge.empty());
  return f;
}

// `chat: chatml` names a known format; `chat: {family: chatml, default_system: ...}` adds to
// it; `chat: {turn: ..., roles: ..., system_merge: ...}` spells one out.
ir::ChatFormat read_chat(const std::string& path, const YAML::Node& n) {
  if (!n) return {};
  if (n.IsScalar()) return family_named(path, n);
  if (!n.IsMap()) throw error_at(where_of(path, n), "'chat' must be a format name or a mapping");
  static const char* known[] = {"family", "turn", "roles", "system_merge", "default_system"};
  for (const auto& kv : n) {
    std::string k = scalar(path, kv.first, "a key");
    if (std::find(std::begin(known), std::end(known), k) == std::end(known))
      throw error_at(where_of(path, kv.first), "unknown key 'chat." + excerpt(k) + "'");
  }
  if (bool(n["family"]) == bool(n["turn"])) throw error_at(where_of(path, n), "'chat' needs either 'family' or 'turn'");
  ir::ChatFormat f = n["family"] ? family_named(path, n["family"]) : custom_format(path, n);
  if (n["default_system"]) f.default_system = scalar(path, n["default_system"], "chat.default_system");
  ir::check_chat_format(f, where_of(path, n));
  return f;
}

std::map<std::string, std::vector<std::string>> read_serves(const std::string& path, const YAML::Node& n) {
  std::map<std::string, std::vector<std::string>> out;
  if (!n) return out;
  if (!n.IsMap()) throw error_at(where_of(path, n), "'serves' must be a mapping of weights format: architecture");
  for (const auto& kv : n) {
    std::string format = scalar(path, kv.first, "a weights format");
    if (format != "gguf" && format != "hf")
      throw error_at(where_of(path, kv.first),
                     "serves: unknown weights format '" + excerpt(format) + "' (expected gguf or hf)");
    std::vector<YAML::Node> names;
    if (kv.second.IsSequence())
      for (const auto& name : kv.second) names.push_back(name);
    else
      names.push_back(kv.second);
    if (names.empty()) throw error_at(where_of(path, kv.second), "serves: empty list of architectures");
    for (const auto& name : names) {
      std::string arch = scalar(path, name, "an architecture name");
      if (arch.empty()) throw error_at(where_of(path, name), "serves: empty architecture name");
      out[format].push_back(arch);
    }
  }
  return out;
}

// yaml-cpp keeps both entries of a repeated key and lookups see the first, so a second
// `params:` or `context:` would be silently ignored; a definition must say each thing once.
void check_unique_keys(const std::string& path, const YAML::Node& n) {
  if (n.IsSequence())
    for (const auto& item : n) check_unique_keys(path, item);
  if (!n.IsMap()) return;
  std::map<std::string, YAML::Node> seen;
  for (const auto& kv : n) {
    if (kv.first.IsScalar()) {
      auto [first, fresh] = seen.emplace(kv.first.Scalar(), kv.first);
      if (!fresh)
        throw error_at(where_of(path, kv.first), "duplicate key '" + excerpt(kv.first.Scalar()) + "' (first at " +
                                                     where_of(path, first->second) + ")");
    }
    check_unique_keys(path, kv.second);
  }
}

void check_known_keys(const std::string& path, const YAML::Node& root) {
  static const char* known[] = {"name",     "serves",       "weights",  "tokenizer", "chat",
                                "params",   "block_params", "passes",   "context",   "step_tokens",
                                "prologue", "block",        "epilogue", "outputs",   "inputs"};
  for (const auto& kv : root) {
    std::string k = scalar(path, kv.first, "a key");
    if (std::find(std::begin(known), std::end(known), k) == std::end(known))
      throw error_at(where_of(path, kv.first), "unknown key '" + excerpt(k) + "'");
  }
}

}  // namespace

Statement parse_statement(const std::string& text, const std::string& where) {
  Statement st;
  st.where = where;
  size_t eq = text.find('=');
  size_t paren = text.find('(');
  if (eq == std::string::npos || paren == std::string::npos || eq > paren || text.back() != ')')
    throw error_at(where, "expected 'name = op(args)', got '" + excerpt(text) + "'");
  for (const auto& r : split_top_level(text.substr(0, eq), where)) {
    if (!is_ident(r)) throw error_at(where, "'" + excerpt(r) + "' is not a valid value name");
    st.results.push_back(r);
  }
  st.op = trim(text.substr(eq + 1, paren - eq - 1));
  if (!is_ident(st.op)) throw error_at(where, "'" + excerpt(st.op) + "' is not an op name");
  std::string inside = text.substr(paren + 1, text.size() - paren - 2);
  bool optional = false;  // an absent @? weight drops its operand, so none may follow it
  for (const auto& a : split_top_level(inside, where)) {
    st.args.push_back(parse_arg(a, where));
    Statement::Arg::Kind k = st.args.back().kind;
    if (optional && (k == Statement::Arg::Value || k == Statement::Arg::Weight))
      throw error_at(where, "an optional @? weight must come after every other operand");
    optional = optional || k == Statement::Arg::OptionalWeight;
  }
  return st;
}

ModelDef read_model_def(const std::string& path) {
  if (!std::filesystem::exists(path)) throw error_at(path, "no such file");
  YAML::Node root;
  const std::string text = read_regular_file(path);
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    throw error_at(path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1),
                   "YAML nested deeper than " + std::to_string(e.depth()) + " levels");
  } catch (const YAML::Exception& e) {
    throw error_at(path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1), e.msg);
  }
  if (!root.IsMap()) throw error_at(path, "a model definition must be a YAML mapping");
  check_unique_keys(path, root);
  check_known_keys(path, root);
  ModelDef d;
  d.path = path;
  try {
    d.name = root["name"] ? scalar(path, root["name"], "name") : std::filesystem::path(path).stem().string();
    if (!root["weights"]) throw error_at(path, "missing 'weights' (path to a .gguf or SafeTensors)");
    d.weights = resolve(path, scalar(path, root["weights"], "weights"));
    std::string tok = root["tokenizer"] ? scalar(path, root["tokenizer"], "tokenizer") : "gguf";
    d.tokenizer = tok == "gguf" || tok == "none" ? tok : resolve(path, tok);
    d.serves = read_serves(path, root["serves"]);
    d.chat = read_chat(path, root["chat"]);
    d.params = read_params(path, root["params"]);
    d.block_params = read_params(path, root["block_params"]);
    d.passes = read_pass_options(path, root["passes"]);
    d.inputs = read_inputs(path, root["inputs"]);
    d.context = root["context"] ? located(path, root["context"], "context") : Located{"4096", path};
    d.step_tokens = root["step_tokens"] ? located(path, root["step_tokens"], "step_tokens") : Located{"512", path};
    d.prologue = read_statements(path, root["prologue"], "prologue", true);
    d.block = read_statements(path, root["block"], "block", true);
    d.epilogue = read_statements(path, root["epilogue"], "epilogue", true);
    if (!root["outputs"] || !root["outputs"].IsSequence())
      throw error_at(where_of(path, root), "'outputs' must be a list of value names");
    for (const auto& o : root["outputs"]) d.outputs.push_back(scalar(path, o, "an output"));
  } catch (const YAML::Exception& e) {
    throw error_at(path + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1), e.msg);
  }
  return d;
}

}  // namespace lmc::models
