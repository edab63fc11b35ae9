#include "passes/pipeline.h"

#include <cctype>

#include "passes/pass_registry.h"
#include "support/error.h"
#include "support/spelling.h"

namespace lmc::passes {

namespace {

constexpr int kMaxRepeat = 100;

std::vector<std::string> option_names(const Pass& p) {
  std::vector<std::string> out;
  for (const auto& o : p.options()) out.push_back(o.name);
  return out;
}

// A recursive-descent reader of pipeline text; every error names the column.
class PipelineParser {
 public:
  // `recorded`: unknown passes are kept as written (parse_recorded_pipeline).
  PipelineParser(const std::string& text, const std::string& where, bool recorded = false)
      : s_(text), where_(where), recorded_(recorded) {}

  Pipeline parse() {
    Pipeline p = pipeline();
    skip_space();
    if (pos_ != s_.size()) fail(std::string("unexpected '") + s_[pos_] + "'");
    return p;
  }

 private:
  Pipeline pipeline() {
    Pipeline out;
    do {
      if (accept('-')) {
        drop(out);
        continue;
      }
      auto where = place(out);
      Pipeline e = element();
      out.insert(where, e.begin(), e.end());
    } while (accept(','));
    return out;
  }

  // `-PASS`: the pipeline so far without its last PASS (`default,-fuse-qk-rope`), so that a
  // pipeline one pass short of another is written without copying the list.
  void drop(Pipeline& so_far) {
    skip_space();
    const size_t at = pos_;
    const std::string name = word();
    if (name.empty()) fail("expected a pass name after '-'");
    for (auto it = so_far.rbegin(); it != so_far.rend(); ++it)
      if (it->pass == name) {
        so_far.erase(std::prev(it.base()));
        return;
      }
    std::vector<std::string> earlier;
    for (const auto& e : so_far) earlier.push_back(e.pass);
    fail_at(at, "-" + name + ": no pass '" + name + "' earlier in the pipeline" + did_you_mean(name, earlier));
  }

  // `after(PASS):` or `before(PASS):` before an element: where in `so_far` it goes, next to
  // the last PASS there; without one, at the end.
  Pipeline::iterator place(Pipeline& so_far) {
    skip_space();
    const size_t at = pos_;
    const std::string side = word();
    if ((side != "after" && side != "before") || peek() != '(') {
      pos_ = at;
      return so_far.end();
    }
    expect('(');
    skip_space();
    const size_t name_at = pos_;
    const std::string name = word();
    expect(')');
    expect(':');
    for (auto it = so_far.rbegin(); it != so_far.rend(); ++it)
      if (it->pass == name) return side == "after" ? it.base() : std::prev(it.base());
    std::vector<std::string> earlier;
    for (const auto& e : so_far) earlier.push_back(e.pass);
    fail_at(name_at,
            side + "(" + name + "): no pass '" + name + "' earlier in the pipeline" + did_you_mean(name, earlier));
  }

  Pipeline element() {
    skip_space();
    size_t at = pos_;
    std::string name = word();
    if (name.empty()) fail("expected a pass name");
    if (name == "none") return {};
    if (name == "default") return PipelineParser(default_pipeline(), where_).parse();
    if (name == "repeat" && peek() == '<') return repeat();
    auto pass = PassRegistry::instance().create(name);
    if (!pass && !recorded_) fail_at(at, "unknown pass '" + name + "'" + suggestion(name));
    PipelineEntry e{name, {}};
    if (accept('{')) e.options = pass ? options(*pass) : unchecked_options();
    return {e};
  }

  Pipeline repeat() {
    expect('<');
    skip_space();
    size_t at = pos_;
    std::string n = word();
    int count = 0;
    for (char c : n)
      count = std::isdigit(static_cast<unsigned char>(c)) && count <= kMaxRepeat ? count * 10 + (c - '0') : -1;
    if (n.empty() || count < 1 || count > kMaxRepeat)
      fail_at(at, "repeat<N> expects N from 1 to " + std::to_string(kMaxRepeat) + ", got '" + n + "'");
    expect('>');
    expect('(');
    Pipeline body = pipeline();
    expect(')');
    Pipeline out;
    for (int i = 0; i < count; ++i) out.insert(out.end(), body.begin(), body.end());
    return out;
  }

  OptionValues options(const Pass& pass) {
    OptionValues out;
    auto declared = pass.options();
    do {
      skip_space();
      size_t at = pos_;
      std::string key = word();
      const PassOption* o = nullptr;
      for (const auto& d : declared)
        if (d.name == key) o = &d;
      if (!o) {
        if (declared.empty()) fail_at(at, "pass '" + pass.name() + "' takes no options");
        fail_at(at, "pass '" + pass.name() + "' has no option '" + key + "'" + did_you_mean(key, option_names(pass)));
      }
      expect('=');
      skip_space();
      size_t value_at = pos_;
      std::string value = option_value();
      if (auto why = option_value_problem(*o, value); !why.empty())
        fail_at(value_at, pass.name() + "{" + key + "}: " + why);
      if (!out.emplace(key, value).second) fail_at(at, "option '" + key + "' is given twice");
    } while (accept(','));
    expect('}');
    return out;
  }

  // A recorded pass's options, which this process cannot check: `name=value` pairs.
  OptionValues unchecked_options() {
    OptionValues out;
    do {
      size_t at = pos_;
      std::string key = word();
      if (key.empty()) fail("expected an option name");
      expect('=');
      if (!out.emplace(key, option_value()).second) fail_at(at, "option '" + key + "' is given twice");
    } while (accept(','));
    expect('}');
    return out;
  }

  std::string word() {
    skip_space();
    size_t start = pos_;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '-' ||
                                s_[pos_] == '_' || s_[pos_] == '.'))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }

  std::string option_value() {
    skip_space();
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '}' &&
           !std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }

  char peek() {
    skip_space();
    return pos_ < s_.size() ? s_[pos_] : '\0';
  }

  bool accept(char c) {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }

  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "'");
  }

  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }

  // Pipeline text also names the pipelines `default` and `none` and the `repeat` combinator.
  static std::string suggestion(const std::string& name) {
    auto names = PassRegistry::instance().names();
    names.insert(names.end(), {"default", "none", "repeat"});
    return pass_name_hint(name, names);
  }

  [[noreturn]] void fail(const std::string& what) { fail_at(pos_, what); }
  [[noreturn]] void fail_at(size_t at, const std::string& what) {
    throw Error(where_ + ": column " + std::to_string(at + 1) + ": " + what);
  }

  const std::string& s_;
  std::string where_;
  bool recorded_;
  size_t pos_ = 0;
};

Pipeline parse_text(const std::string& text, const std::string& where, bool recorded) {
  if (text.find_first_not_of(" \t\n") == std::string::npos) return {};
  return PipelineParser(text, where, recorded).parse();
}

}  // namespace

Pipeline parse_pipeline(const std::string& text, const std::string& where) { return parse_text(text, where, false); }

Pipeline parse_recorded_pipeline(const std::string& text, const std::string& where) {
  return parse_text(text, where, true);
}

std::string print_pipeline(const Pipeline& p) {
  std::string out;
  for (const auto& e : p) {
    out += (out.empty() ? "" : ",") + e.pass;
    std::string opts;
    for (const auto& [k, v] : e.options) opts += (opts.empty() ? "" : ",") + k + "=" + v;
    if (!opts.empty()) out += "{" + opts + "}";
  }
  return out.empty() ? "none" : out;
}

}  // namespace lmc::passes
