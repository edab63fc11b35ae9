#include "ir/parser.h"

#include <cctype>
#include <charconv>
#include <unordered_map>
#include <utility>

#include "ir/op_registry.h"
#include "support/error.h"
#include "support/regular_file.h"

namespace lmc::ir {

namespace {

struct Loc {
  int line = 1, col = 1;
};

class Parser {
 public:
  Parser(std::string_view text, std::string file) : s_(text), file_(std::move(file)) {}

  std::unique_ptr<Graph> graph() {
    skip_blank_lines();  // a file may open with comment lines (lit's RUN lines)
    expect_word("graph");
    expect('@');
    auto g = std::make_unique<Graph>(ident("graph name"));
    g_ = g.get();
    parse_args();
    expect('{');
    expect_newline();
    while (true) {
      skip_blank_lines();
      if (peek_word() == "return") break;
      parse_op();
    }
    parse_return();
    skip_blank_lines();
    expect('}');
    skip_blank_lines();
    if (pos_ < s_.size()) fail("unexpected text after the graph");
    resolve();
    return g;
  }

 private:
  struct PendingOperand {
    Op* op;
    size_t index;
    std::string name;
    Loc loc;
  };

  std::string_view s_;
  std::string file_;
  size_t pos_ = 0;
  Loc loc_;
  Graph* g_ = nullptr;
  std::unordered_map<std::string, std::pair<Value*, int>> defs_;  // name -> (value, line)
  std::vector<PendingOperand> pending_;
  std::vector<std::pair<std::string, Loc>> outputs_;
  Value placeholder_{"", Type{}, nullptr, 0};

  [[noreturn]] void fail(const std::string& what, Loc at) const {
    throw error_at(file_ + ":" + std::to_string(at.line) + ":" + std::to_string(at.col), what);
  }
  [[noreturn]] void fail(const std::string& what) const { fail(what, loc_); }

  char cur() const { return pos_ < s_.size() ? s_[pos_] : '\0'; }
  void advance() {
    if (cur() == '\n') {
      ++loc_.line;
      loc_.col = 1;
    } else {
      ++loc_.col;
    }
    ++pos_;
  }
  // Skips spaces, tabs and comments, but not newlines: the form is line oriented.
  void skip_space() {
    while (true) {
      if (cur() == ' ' || cur() == '\t' || cur() == '\r') {
        advance();
      } else if (cur() == '/' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '/') {
        while (pos_ < s_.size() && cur() != '\n') advance();
      } else {
        return;
      }
    }
  }
  void skip_blank_lines() {
    skip_space();
    while (cur() == '\n') {
      advance();
      skip_space();
    }
  }
  void expect_newline() {
    skip_space();
    if (cur() != '\n') fail("expected end of line");
    advance();
  }
  bool accept(char c) {
    skip_space();
    if (cur() != c) return false;
    advance();
    return true;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "'");
  }
  static bool ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }
  std::string_view peek_word() {
    skip_space();
    size_t e = pos_;
    while (e < s_.size() && ident_char(s_[e])) ++e;
    return s_.substr(pos_, e - pos_);
  }
  std::string ident(const std::string& what) {
    skip_space();
    std::string out;
    while (ident_char(cur())) {
      out += cur();
      advance();
    }
    if (out.empty()) fail("expected " + what);
    return out;
  }
  void expect_word(std::string_view w) {
    Loc at = loc_;
    if (ident("'" + std::string(w) + "'") != w) fail("expected '" + std::string(w) + "'", at);
  }
  std::string value_name() {
    expect('%');
    if (!ident_char(cur())) fail("expected a value name after '%'");
    return ident("value name");
  }

  Dim dim() {
    skip_space();
    Loc at = loc_;
    if (std::isdigit(static_cast<unsigned char>(cur()))) {
      int64_t v = integer();
      if (v <= 0) fail("dims must be positive", at);
      return Dim::of(v);
    }
    std::string name = ident("a dim");
    auto sym = parse_sym(name);
    if (!sym) fail("unknown symbolic dim '" + name + "' (known: T, L)", at);
    return Dim::symbolic(*sym);
  }

  Type type() {
    skip_space();
    Loc at = loc_;
    std::string name = ident("a type");
    auto dt = parse_dtype(name);
    if (!dt) fail("unknown dtype '" + name + "'", at);
    Type t{*dt, {}};
    expect('[');
    if (!accept(']')) {
      do t.dims.push_back(dim());
      while (accept(','));
      expect(']');
    }
    check_size(t, at);
    return t;
  }

  // Shapes come from files: a tensor past 2^62 bytes can never be allocated, and byte
  // counts computed from it downstream would overflow int64.
  void check_size(const Type& t, Loc at) const {
    try {
      t.check_size();
    } catch (const Error& e) {
      fail(e.what(), at);
    }
  }

  int64_t integer() {
    skip_space();
    Loc at = loc_;
    size_t b = pos_;
    if (cur() == '-') advance();
    while (std::isdigit(static_cast<unsigned char>(cur()))) advance();
    int64_t v = 0;
    auto r = std::from_chars(s_.data() + b, s_.data() + pos_, v);
    if (r.ec != std::errc() || r.ptr != s_.data() + pos_) fail("expected an integer", at);
    return v;
  }

  Attr number() {
    Loc at = loc_;
    size_t b = pos_;
    while (std::isalnum(static_cast<unsigned char>(cur())) || cur() == '-' || cur() == '+' || cur() == '.') advance();
    std::string_view tok = s_.substr(b, pos_ - b);
    bool is_float = tok.find_first_of(".eEn") != std::string_view::npos;  // 'n': inf, nan
    if (!is_float) {
      int64_t v = 0;
      auto r = std::from_chars(tok.data(), tok.data() + tok.size(), v);
      if (r.ec == std::errc() && r.ptr == tok.data() + tok.size()) return v;
    } else {
      double v = 0;
      auto r = std::from_chars(tok.data(), tok.data() + tok.size(), v);
      if (r.ec == std::errc() && r.ptr == tok.data() + tok.size()) return v;
    }
    fail("malformed number '" + std::string(tok) + "'", at);
  }

  std::string string_lit() {
    expect('"');
    std::string out;
    while (cur() != '"') {
      if (cur() == '\n' || cur() == '\0') fail("unterminated string");
      if (cur() == '\\') advance();
      out += cur();
      advance();
    }
    advance();
    return out;
  }

  Attr attr_value() {
    skip_space();
    char c = cur();
    if (c == '"') return string_lit();
    if (c == '[') {
      advance();
      std::vector<int64_t> l;
      if (!accept(']')) {
        do l.push_back(integer());
        while (accept(','));
        expect(']');
      }
      return l;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '+') return number();
    Loc at = loc_;
    std::string word = ident("an attribute value");
    if (auto dt = parse_dtype(word)) return *dt;
    if (word == "inf" || word == "nan") return std::stod(word);
    fail("expected an attribute value, got '" + word + "'", at);
  }

  // `{` ending its line opens a region; `{` followed by text, attributes.
  bool at_region() {
    skip_space();
    if (cur() != '{') return false;
    size_t e = pos_ + 1;
    while (e < s_.size() && (s_[e] == ' ' || s_[e] == '\t' || s_[e] == '\r')) ++e;
    return e >= s_.size() || s_[e] == '\n';
  }

  AttrMap attrs() {
    AttrMap m;
    if (at_region() || !accept('{')) return m;
    do {
      skip_space();  // so that `at` is the name, not the blank before it
      Loc at = loc_;
      std::string key = ident("an attribute name");
      if (m.count(key)) fail("attribute '" + key + "' given twice", at);
      expect('=');
      m[key] = attr_value();
    } while (accept(','));
    expect('}');
    return m;
  }

  void define(Value* v, Loc at) {
    auto [it, fresh] = defs_.emplace(v->name(), std::make_pair(v, at.line));
    if (!fresh)
      fail("value %" + v->name() + " redefined (first defined on line " + std::to_string(it->second.second) + ")", at);
    g_->note_name(v->name());
  }

  void parse_args() {
    expect('(');
    if (accept(')')) return;
    do {
      skip_space();
      Loc at = loc_;
      std::string name = value_name();
      expect(':');
      Type t = type();
      Value* v = g_->add_arg(name, t);
      define(v, at);
    } while (accept(','));
    expect(')');
  }

  void parse_op() {
    skip_space();
    Loc start = loc_;
    std::vector<std::pair<std::string, Loc>> results;
    do {
      skip_space();
      Loc at = loc_;
      results.emplace_back(value_name(), at);
    } while (accept(','));
    expect('=');
    skip_space();
    Loc kind_at = loc_;
    std::string kind = ident("an op name");
    const OpDef* def = find_op(kind);
    if (!def) fail("unknown op '" + kind + "'", kind_at);
    std::vector<std::pair<std::string, Loc>> operands;
    skip_space();
    if (cur() == '%') {
      do {
        skip_space();
        Loc at = loc_;
        operands.emplace_back(value_name(), at);
      } while (accept(','));
    }
    AttrMap a = attrs();
    std::unique_ptr<Graph> body = at_region() ? region() : nullptr;
    expect(':');
    std::vector<Type> types;
    do types.push_back(type());
    while (accept(','));
    if (types.size() != results.size())
      fail(std::to_string(results.size()) + " results but " + std::to_string(types.size()) + " types", start);
    expect_newline();

    auto op = std::make_unique<Op>(kind, std::vector<Value*>(operands.size(), &placeholder_), std::move(a));
    op->set_line(start.line);
    if (body) op->set_body(std::move(body));
    for (size_t i = 0; i < results.size(); ++i) op->add_result(results[i].first, types[i]);
    Op* raw = op.get();
    g_->ops().push_back(std::move(op));
    for (size_t i = 0; i < results.size(); ++i) define(raw->result(i), results[i].second);
    for (size_t i = 0; i < operands.size(); ++i) pending_.push_back({raw, i, operands[i].first, operands[i].second});
  }

  // `{`, `^(args):`, ops, `yield values`, `}`. The body is a scope of its own: a name
  // from the enclosing graph is undefined there, so a region never captures a value.
  std::unique_ptr<Graph> region() {
    expect('{');
    expect_newline();
    skip_blank_lines();
    expect('^');
    auto body = std::make_unique<Graph>("body");
    Graph* outer = std::exchange(g_, body.get());
    auto outer_defs = std::exchange(defs_, {});
    auto outer_pending = std::exchange(pending_, {});
    auto outer_outputs = std::exchange(outputs_, {});
    parse_args();
    expect(':');
    expect_newline();
    while (true) {
      skip_blank_lines();
      if (peek_word() == "yield") break;
      if (cur() == '}' || cur() == '\0') fail("expected 'yield' before the end of the region");
      parse_op();
    }
    parse_values_line("yield");
    skip_blank_lines();
    expect('}');
    resolve();
    g_ = outer;
    defs_ = std::move(outer_defs);
    pending_ = std::move(outer_pending);
    outputs_ = std::move(outer_outputs);
    return body;
  }

  void parse_return() { parse_values_line("return"); }

  // `return` or `yield` and the values it names.
  void parse_values_line(std::string_view word) {
    expect_word(word);
    skip_space();
    if (cur() == '%') {
      do {
        skip_space();
        Loc at = loc_;
        outputs_.emplace_back(value_name(), at);
      } while (accept(','));
    }
    expect_newline();
  }

  Value* lookup(const std::string& name, Loc at) const {
    auto it = defs_.find(name);
    if (it == defs_.end()) fail("use of undefined value %" + name, at);
    return it->second.first;
  }

  void resolve() {
    for (const auto& p : pending_) p.op->set_operand(p.index, lookup(p.name, p.loc));
    std::vector<Value*> outs;
    for (const auto& [name, at] : outputs_) outs.push_back(lookup(name, at));
    g_->set_outputs(outs);
  }
};

}  // namespace

std::unique_ptr<Graph> parse(std::string_view text, const std::string& filename) {
  return Parser(text, filename).graph();
}

std::unique_ptr<Graph> parse_file(const std::string& path) { return parse(read_regular_file(path), path); }

}  // namespace lmc::ir
