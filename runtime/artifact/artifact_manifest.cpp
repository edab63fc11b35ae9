#include "runtime/artifact/artifact_manifest.h"

#include <charconv>
#include <sstream>

#include "codegen/target.h"
#include "ir/type.h"
#include "runtime/artifact/digest.h"
#include "support/error.h"

namespace lmc::runtime {

namespace {

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else if (c == '\r')
      out += "\\r";
    else
      out += c;
  }
  return out;
}

std::string unescape(std::string_view s, const std::string& where) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    char n = ++i < s.size() ? s[i] : '\0';
    if (n == '\\')
      out += '\\';
    else if (n == 'n')
      out += '\n';
    else if (n == 'r')
      out += '\r';
    else
      throw error_at(where, "bad escape sequence in value");
  }
  return out;
}

// Lines in the order they are written, so the manifest reads top-down.
class LineWriter {
 public:
  void add(const std::string& key, std::string_view value) {
    if (key.empty() || key.find_first_of("=\n\r") != std::string::npos)
      throw Error("artifact: error: manifest key '" + escape(key) + "' is empty or contains '=' or a newline");
    text_ += key + "=" + escape(value) + "\n";
  }
  void add(const std::string& key, int64_t value) { add(key, std::to_string(value)); }
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

int64_t to_int(const std::string& s, const std::string& key, const std::string& where) {
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size())
    throw error_at(where, "key '" + key + "' is not an integer: '" + s + "'");
  return v;
}

class Fields {
 public:
  Fields(const std::map<std::string, std::string>& kv, const std::string& where) : kv_(kv), where_(where) {}
  const std::string& str(const std::string& key) const {
    auto it = kv_.find(key);
    if (it == kv_.end()) throw error_at(where_, "missing key '" + key + "'");
    return it->second;
  }
  int64_t integer(const std::string& key) const { return to_int(str(key), key, where_); }
  const std::string& where() const { return where_; }

 private:
  const std::map<std::string, std::string>& kv_;
  const std::string& where_;
};

std::string encode_kernel(const codegen::KernelEntry& k) {
  const codegen::KernelInfo& i = k.info;
  return k.name + " " + (i.uses_sym ? "1" : "0") + " " + ir::sym_name(i.sym) + " " + std::to_string(i.per_sym) + " " +
         std::to_string(i.fixed) + " " + std::to_string(i.grain) + " " + k.key;
}

codegen::KernelEntry decode_kernel(const std::string& value, const std::string& key, const std::string& where) {
  std::istringstream in(value);
  codegen::KernelEntry k;
  std::string uses, sym, per_sym, fixed, grain;
  if (!(in >> k.name >> uses >> sym >> per_sym >> fixed >> grain))
    throw error_at(where, "key '" + key + "' is not '<symbol> <uses_sym> <sym> <per_sym> <fixed> <grain> <key>'");
  std::getline(in >> std::ws, k.key);
  auto s = ir::parse_sym(sym);
  if (k.key.empty() || (uses != "0" && uses != "1") || !s)
    throw error_at(where, "key '" + key + "' has a malformed kernel entry");
  k.info.uses_sym = uses == "1";
  k.info.sym = *s;
  k.info.per_sym = to_int(per_sym, key, where);
  k.info.fixed = to_int(fixed, key, where);
  k.info.grain = to_int(grain, key, where);
  if (k.info.per_sym < 0 || k.info.fixed < 0 || k.info.grain < 1)
    throw error_at(where, "key '" + key + "' has negative work items or a grain below 1");
  return k;
}

// A row count from which a kernel's work items change (rows_from, cols_from).
int64_t rows_from(const Fields& f, const std::string& key) {
  int64_t v = f.integer(key);
  if (v < 1) throw error_at(f.where(), "key '" + key + "' must be at least 1");
  return v;
}

void encode_info(LineWriter& w, const ir::ModelInfo& info) {
  w.add("info.name", info.name);
  w.add("info.weights", info.weights);
  w.add("info.context", info.context);
  w.add("info.step_tokens", info.step_tokens);
  w.add("info.d_model", info.d_model);
  w.add("info.n_layers", info.n_layers);
  w.add("info.chat.family", info.chat.family);
  for (const auto& [role, turn] : info.chat.turns) w.add("info.chat.turn." + role, turn);
  w.add("info.chat.system_merge", info.chat.system_merge);
  w.add("info.chat.default_system", info.chat.default_system);
  w.add("info.chat.trim", int64_t{info.chat.trim});
  if (!info.chat.jinja.empty()) w.add("info.chat.template", info.chat.jinja);
  w.add("info.hyper.count", static_cast<int64_t>(info.hyper.size()));
  for (size_t i = 0; i < info.hyper.size(); ++i)
    w.add("info.hyper." + std::to_string(i), info.hyper[i].first + "=" + info.hyper[i].second);
}

ir::ModelInfo decode_info(const std::map<std::string, std::string>& kv, const Fields& f) {
  ir::ModelInfo info;
  info.name = f.str("info.name");
  info.weights = f.str("info.weights");
  info.context = f.integer("info.context");
  info.step_tokens = f.integer("info.step_tokens");
  info.d_model = f.integer("info.d_model");
  info.n_layers = f.integer("info.n_layers");
  if (info.context <= 0 || info.step_tokens <= 0 || info.step_tokens > info.context)
    throw error_at(f.where(), "info.context and info.step_tokens must satisfy 0 < step_tokens <= context");
  info.chat.family = f.str("info.chat.family");
  const std::string turn_prefix = "info.chat.turn.";
  for (auto it = kv.lower_bound(turn_prefix); it != kv.end() && it->first.starts_with(turn_prefix); ++it)
    info.chat.turns[it->first.substr(turn_prefix.size())] = it->second;
  info.chat.system_merge = f.str("info.chat.system_merge");
  info.chat.default_system = f.str("info.chat.default_system");
  info.chat.trim = f.integer("info.chat.trim") != 0;
  // Artifacts before the template was carried have none: they chat in their family's turns.
  if (kv.count("info.chat.template")) info.chat.jinja = f.str("info.chat.template");
  if (!info.chat.empty()) ir::check_chat_format(info.chat, f.where());
  int64_t n = f.integer("info.hyper.count");
  for (int64_t i = 0; i < n; ++i) {
    std::string key = "info.hyper." + std::to_string(i);
    const std::string& v = f.str(key);
    size_t eq = v.find('=');
    if (eq == std::string::npos) throw error_at(f.where(), "key '" + key + "' is not '<name>=<value>'");
    info.hyper.emplace_back(v.substr(0, eq), v.substr(eq + 1));
  }
  return info;
}

// plugin.<n> = "<16 hex digits> <path>", plugin.count of them (none when absent).
std::vector<PluginRecord> decode_plugins(const std::map<std::string, std::string>& kv, const Fields& f) {
  std::vector<PluginRecord> out;
  if (!kv.count("plugin.count")) return out;
  int64_t n = f.integer("plugin.count");
  if (n < 0) throw error_at(f.where(), "plugin.count is negative");
  for (int64_t i = 0; i < n; ++i) {
    std::string key = "plugin." + std::to_string(i);
    const std::string& v = f.str(key);
    const bool hex = v.size() > 17 && v[16] == ' ' && v.find_first_not_of("0123456789abcdef") == 16;
    if (!hex) throw error_at(f.where(), "key '" + key + "' is not '<16 hex digits> <path>'");
    out.push_back({v.substr(17), v.substr(0, 16)});
  }
  return out;
}

}  // namespace

std::string encode_manifest(const ArtifactManifest& m, const std::map<std::string, uint64_t>& section_digests) {
  LineWriter w;
  w.add("lmc.version", m.lmc_version);
  w.add("model", m.model);
  w.add("pipeline", m.pipeline);
  if (!m.plugins.empty()) w.add("plugin.count", static_cast<int64_t>(m.plugins.size()));
  for (size_t i = 0; i < m.plugins.size(); ++i)
    w.add("plugin." + std::to_string(i), m.plugins[i].digest + " " + m.plugins[i].path);
  w.add("target.cpu", m.target.cpu);
  w.add("target.features", m.target.features);
  if (!m.isa.empty()) w.add("target.isa", codegen::join_features(m.isa));
  encode_info(w, m.info);
  w.add("kernel.count", static_cast<int64_t>(m.kernels.size()));
  for (size_t i = 0; i < m.kernels.size(); ++i) {
    w.add("kernel." + std::to_string(i), encode_kernel(m.kernels[i]));
    if (m.kernels[i].info.rows_from) w.add("kernel." + std::to_string(i) + ".rows_from", m.kernels[i].info.rows_from);
    if (m.kernels[i].info.cols_from) w.add("kernel." + std::to_string(i) + ".cols_from", m.kernels[i].info.cols_from);
  }
  for (const auto& [name, d] : section_digests) w.add("digest." + name, digest_hex(d));
  for (const auto& [k, v] : m.extra) w.add("extra." + k, v);
  return w.take();
}

std::map<std::string, std::string> parse_manifest(std::string_view text, const std::string& where) {
  std::map<std::string, std::string> kv;
  int line_no = 0;
  while (!text.empty()) {
    ++line_no;
    size_t nl = text.find('\n');
    std::string line_where = where + " line " + std::to_string(line_no);
    if (nl == std::string_view::npos) throw error_at(line_where, "manifest does not end with a newline");
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    size_t eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) throw error_at(line_where, "expected 'key=value'");
    std::string key(line.substr(0, eq));
    if (!kv.emplace(key, unescape(line.substr(eq + 1), line_where)).second)
      throw error_at(line_where, "duplicate key '" + key + "'");
  }
  return kv;
}

ArtifactManifest decode_manifest(const std::map<std::string, std::string>& kv, const std::string& where) {
  Fields f(kv, where);
  ArtifactManifest m;
  m.lmc_version = f.str("lmc.version");
  m.model = f.str("model");
  m.pipeline = f.str("pipeline");
  m.plugins = decode_plugins(kv, f);
  m.target.cpu = f.str("target.cpu");
  m.target.features = f.str("target.features");
  if (kv.count("target.isa")) m.isa = codegen::split_features(f.str("target.isa"));
  m.info = decode_info(kv, f);
  int64_t n = f.integer("kernel.count");
  if (n < 0) throw error_at(where, "kernel.count is negative");
  for (int64_t i = 0; i < n; ++i) {
    std::string key = "kernel." + std::to_string(i);
    m.kernels.push_back(decode_kernel(f.str(key), key, where));
    if (kv.count(key + ".rows_from")) m.kernels.back().info.rows_from = rows_from(f, key + ".rows_from");
    if (kv.count(key + ".cols_from")) m.kernels.back().info.cols_from = rows_from(f, key + ".cols_from");
  }
  const std::string extra = "extra.";
  for (auto it = kv.lower_bound(extra); it != kv.end() && it->first.starts_with(extra); ++it)
    m.extra[it->first.substr(extra.size())] = it->second;
  return m;
}

}  // namespace lmc::runtime
