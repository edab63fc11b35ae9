#include "models/expr.h"

#include <cctype>
#include <charconv>
#include <cmath>

#include "support/error.h"
#include "support/untrusted_text.h"

namespace lmc::models {

namespace {

class ExprParser {
 public:
  ExprParser(const std::string& text, const ExprEnv& env, const std::string& where)
      : s_(text), env_(env), where_(where) {}

  ExprValue parse() {
    ExprValue v = ternary();
    skip();
    if (p_ != s_.size()) fail("unexpected '" + excerpt(s_.substr(p_)) + "'");
    return v;
  }

 private:
  // Every recursion passes through ternary() or unary(); bounding their nesting keeps a
  // hostile "((((...", "----..." or "1?1?1?..." from overflowing the stack.
  static constexpr int kMaxDepth = 256;
  struct Nest {
    explicit Nest(ExprParser& p) : p(p) {
      if (++p.depth_ > kMaxDepth) p.fail("nested deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    ~Nest() { --p.depth_; }
    ExprParser& p;
  };

  const std::string& s_;
  const ExprEnv& env_;
  const std::string& where_;
  size_t p_ = 0;
  int depth_ = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw error_at(where_, "in expression '" + excerpt(s_) + "': " + what);
  }
  void skip() {
    while (p_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[p_]))) ++p_;
  }
  bool accept(const char* tok) {
    skip();
    size_t n = std::char_traits<char>::length(tok);
    if (s_.compare(p_, n, tok) != 0) return false;
    p_ += n;
    return true;
  }
  void expect(const char* tok) {
    if (!accept(tok)) fail(std::string("expected '") + tok + "'");
  }
  double num(const ExprValue& v) const {
    if (!std::holds_alternative<double>(v)) fail("expected a number, got " + excerpt(expr_to_string(v)));
    return std::get<double>(v);
  }

  // Arithmetic is in doubles, which do not wrap but overflow to inf or turn into NaN
  // (sqrt(-1), 0 ** -1); either would reach a shape or an attribute as a number, so the
  // expression fails where it happens.
  double finite(double v, const char* op) const {
    if (!std::isfinite(v)) fail(std::string(op) + " gives " + expr_to_string(v));
    return v;
  }

  ExprValue ternary() {
    Nest nest(*this);
    ExprValue c = logical_or();
    if (!accept("?")) return c;
    ExprValue a = ternary();
    expect(":");
    ExprValue b = ternary();
    return num(c) != 0 ? a : b;
  }
  ExprValue logical_or() {
    ExprValue v = logical_and();
    // Both sides are always parsed: C++'s || would skip parsing the right one.
    while (accept("||")) {
      double right = num(logical_and());
      v = double(num(v) != 0 || right != 0);
    }
    return v;
  }
  ExprValue logical_and() {
    ExprValue v = comparison();
    while (accept("&&")) {
      double right = num(comparison());
      v = double(num(v) != 0 && right != 0);
    }
    return v;
  }
  ExprValue comparison() {
    ExprValue a = additive();
    for (const char* op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (!accept(op)) continue;
      ExprValue b = additive();
      std::string o = op;
      if (o == "==") return double(a == b);
      if (o == "!=") return double(a != b);
      double x = num(a), y = num(b);
      return double(o == "<=" ? x <= y : o == ">=" ? x >= y : o == "<" ? x < y : x > y);
    }
    return a;
  }
  ExprValue additive() {
    ExprValue v = multiplicative();
    while (true) {
      if (accept("+")) {
        ExprValue r = multiplicative();
        if (std::holds_alternative<std::string>(v) && std::holds_alternative<std::string>(r))
          v = std::get<std::string>(v) + std::get<std::string>(r);
        else
          v = finite(num(v) + num(r), "+");
      } else if (accept("-")) {
        v = finite(num(v) - num(multiplicative()), "-");
      } else {
        return v;
      }
    }
  }
  ExprValue multiplicative() {
    ExprValue v = unary();
    while (true) {
      skip();
      if (s_.compare(p_, 2, "**") == 0) return v;
      if (accept("*")) {
        v = finite(num(v) * num(unary()), "*");
      } else if (accept("/")) {
        double d = num(unary());
        if (d == 0) fail("division by zero");
        v = finite(num(v) / d, "/");
      } else if (accept("%")) {
        double d = num(unary());
        if (d == 0) fail("modulo by zero");
        v = finite(std::fmod(num(v), d), "%");
      } else {
        return v;
      }
    }
  }
  ExprValue unary() {
    Nest nest(*this);
    if (accept("-")) return -num(unary());
    if (accept("!")) return double(num(unary()) == 0);
    ExprValue base = primary();
    if (accept("**")) return finite(std::pow(num(base), num(unary())), "**");
    return base;
  }
  ExprValue primary() {
    skip();
    if (p_ >= s_.size()) fail("unexpected end");
    char c = s_[p_];
    if (accept("(")) {
      ExprValue v = ternary();
      expect(")");
      return v;
    }
    if (accept("[")) return list();
    if (c == '"' || c == '\'') return interpolate(string_lit(c), env_, where_);
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return number();
    std::string name = ident();
    if (accept("(")) return call(name);
    auto it = env_.vars.find(name);
    if (it == env_.vars.end()) fail("unknown name '" + excerpt(name) + "'");
    return it->second;
  }
  ExprValue list() {
    std::vector<double> out;
    if (accept("]")) return out;
    do out.push_back(num(ternary()));
    while (accept(","));
    expect("]");
    return out;
  }
  std::string string_lit(char quote) {
    ++p_;
    std::string out;
    while (p_ < s_.size() && s_[p_] != quote) out += s_[p_++];
    if (p_ >= s_.size()) fail("unterminated string");
    ++p_;
    return out;
  }
  double number() {
    size_t b = p_;
    while (p_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p_])) || s_[p_] == '.' ||
                              ((s_[p_] == '-' || s_[p_] == '+') && (s_[p_ - 1] == 'e' || s_[p_ - 1] == 'E'))))
      ++p_;
    double v = 0;
    auto r = std::from_chars(s_.data() + b, s_.data() + p_, v);
    if (r.ec != std::errc() || r.ptr != s_.data() + p_)
      fail("malformed number '" + excerpt(s_.substr(b, p_ - b)) + "'");
    return v;
  }
  std::string ident() {
    size_t b = p_;
    while (p_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[p_])) || s_[p_] == '_')) ++p_;
    if (b == p_) fail("unexpected '" + std::string(1, s_[p_]) + "'");
    return s_.substr(b, p_ - b);
  }
  ExprValue call(const std::string& name) {
    std::vector<ExprValue> args;
    if (!accept(")")) {
      do args.push_back(ternary());
      while (accept(","));
      expect(")");
    }
    auto arity = [&](size_t n) {
      if (args.size() != n) fail(name + "() takes " + std::to_string(n) + " argument(s)");
    };
    if (name == "sqrt") return arity(1), finite(std::sqrt(num(args[0])), "sqrt()");
    if (name == "log") return arity(1), finite(std::log(num(args[0])), "log()");
    if (name == "pow") return arity(2), finite(std::pow(num(args[0]), num(args[1])), "pow()");
    if (name == "min") return arity(2), std::min(num(args[0]), num(args[1]));
    if (name == "max") return arity(2), std::max(num(args[0]), num(args[1]));
    if (name == "int") return arity(1), std::trunc(num(args[0]));
    auto it = env_.functions.find(name);
    if (it == env_.functions.end()) fail("unknown function '" + excerpt(name) + "'");
    try {
      return it->second(args);
    } catch (const Error& e) {
      fail(e.what());
    }
  }
};

}  // namespace

std::string expr_to_string(const ExprValue& v) {
  if (const double* d = std::get_if<double>(&v)) {
    if (std::trunc(*d) == *d && std::fabs(*d) < 1e15) return std::to_string(static_cast<int64_t>(*d));
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, *d);
    return std::string(buf, r.ptr);
  }
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  std::string out = "[";
  for (double d : std::get<std::vector<double>>(v)) out += (out.size() > 1 ? ", " : "") + expr_to_string(d);
  return out + "]";
}

ExprValue eval_expr(const std::string& text, const ExprEnv& env, const std::string& where) {
  return ExprParser(text, env, where).parse();
}

std::string interpolate(const std::string& text, const ExprEnv& env, const std::string& where) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{') {
      out += text[i];
      continue;
    }
    size_t close = text.find('}', i);
    if (close == std::string::npos) throw error_at(where, "unclosed '{' in '" + excerpt(text) + "'");
    std::string name = text.substr(i + 1, close - i - 1);
    auto it = env.vars.find(name);
    if (it == env.vars.end())
      throw error_at(where, "unknown name '{" + excerpt(name) + "}' in '" + excerpt(text) + "'");
    out += expr_to_string(it->second);
    i = close;
  }
  return out;
}

}  // namespace lmc::models
