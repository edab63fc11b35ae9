#include "jinja/python_operators.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "jinja/python_text.h"

namespace lmc::jinja {

namespace {

[[noreturn]] void undefined_used(const Value& v) { throw EvalError(v.as<Undefined>().hint); }

[[noreturn]] void unsupported(const std::string& op, const Value& a, const Value& b) {
  if (a.is_undefined()) undefined_used(a);
  if (b.is_undefined()) undefined_used(b);
  throw EvalError("unsupported operand type(s) for " + op + ": '" + type_name(a) + "' and '" + type_name(b) + "'");
}

// x op y for op in + - *, or an error where int64 overflows (Python's ints do not).
int64_t int_arith(char op, int64_t x, int64_t y) {
  int64_t r = 0;
  const bool overflow = op == '+'   ? __builtin_add_overflow(x, y, &r)
                        : op == '-' ? __builtin_sub_overflow(x, y, &r)
                                    : __builtin_mul_overflow(x, y, &r);
  if (overflow) throw EvalError("integer overflow");
  return r;
}

Value repeat(const Value& seq, int64_t n, size_t limit) {
  if (n <= 0) return seq.is_string() ? Value("") : Value(List{});
  const size_t count = static_cast<size_t>(n);
  if (seq.is_string()) {
    if (seq.str().size() > 0 && count > limit / seq.str().size())
      throw EvalError("a repeated string passes the size limit");
    std::string out;
    for (size_t i = 0; i < count; ++i) out += seq.str();
    return Value(std::move(out));
  }
  if (seq.list().size() > 0 && count > limit / seq.list().size())
    throw EvalError("a repeated list passes the size limit");
  List out;
  for (size_t i = 0; i < count; ++i) out.insert(out.end(), seq.list().begin(), seq.list().end());
  return Value(std::move(out));
}

}  // namespace

Value arithmetic(const std::string& op, const Value& a, const Value& b, size_t limit) {
  if (op == "+" && a.is_string() && b.is_string()) return Value(a.str() + b.str());
  // llama.cpp's Jinja adds a string and an undefined variable as if the variable were "", so
  // that a chat template reading a variable llama.cpp does not give renders there
  // (firefunction-v2's `"\n" + functions`), where Python's Jinja raises. None stays Python's
  // error, as Hugging Face's renders (a tool call's null content) refuse it.
  if (op == "+" && a.is_string() && b.is_undefined()) return a;
  if (op == "+" && a.is_undefined() && b.is_string()) return b;
  if (op == "+" && a.is<ListPtr>() && b.is<ListPtr>()) {
    List out = a.list();
    out.insert(out.end(), b.list().begin(), b.list().end());
    return Value(std::move(out));
  }
  if (op == "*" && (a.is_string() || a.is<ListPtr>()) && b.is_int()) return repeat(a, b.integer(), limit);
  if (op == "*" && a.is_int() && (b.is_string() || b.is<ListPtr>())) return repeat(b, a.integer(), limit);
  if (!a.is_number() || !b.is_number()) unsupported(op, a, b);
  const bool ints = a.is_int() && b.is_int();
  if ((op == "/" || op == "//" || op == "%") && b.number() == 0)
    throw EvalError(ints && op != "/" ? "integer division or modulo by zero" : "division by zero");
  if (ints) {
    const int64_t x = a.integer(), y = b.integer();
    if (op == "+" || op == "-" || op == "*") return Value(int_arith(op[0], x, y));
    if (op == "//" || op == "%") {
      if (x == std::numeric_limits<int64_t>::min() && y == -1) throw EvalError("integer overflow");
      int64_t q = x / y, m = x % y;
      if (m != 0 && ((m < 0) != (y < 0))) --q, m += y;
      return Value(op == "//" ? q : m);
    }
    if (op == "**" && y >= 0) {  // by squaring: base squared overflowing means the result does
      int64_t result = 1, base = x;
      for (int64_t e = y; e > 0;) {
        if ((e & 1) && __builtin_mul_overflow(result, base, &result)) throw EvalError("integer overflow");
        e >>= 1;
        if (e && __builtin_mul_overflow(base, base, &base)) throw EvalError("integer overflow");
      }
      return Value(result);
    }
  }
  const double x = a.number(), y = b.number();
  if (op == "+") return Value(x + y);
  if (op == "-") return Value(x - y);
  if (op == "*") return Value(x * y);
  if (op == "/") return Value(x / y);
  if (op == "//") return Value(std::floor(x / y));
  if (op == "%") {
    double m = std::fmod(x, y);
    if (m != 0 && ((m < 0) != (y < 0))) m += y;
    return Value(m);
  }
  return Value(std::pow(x, y));
}

bool contains(const Value& container, const Value& item) {
  if (container.is_string()) {
    if (!item.is_string()) throw EvalError("'in <string>' requires string as left operand, not " + type_name(item));
    return container.str().find(item.str()) != std::string::npos;
  }
  if (container.is<ListPtr>()) {
    for (const Value& v : container.list())
      if (equal(v, item)) return true;
    return false;
  }
  if (container.is<DictPtr>() && !container.dict().is_namespace) return container.dict().find(item) != nullptr;
  if (container.is_undefined()) return false;
  throw EvalError("argument of type '" + type_name(container) + "' is not iterable");
}

std::vector<size_t> slice_indices(int64_t n, const Value* start, const Value* stop, const Value* step_v) {
  const int64_t step = step_v ? step_v->integer() : 1;
  if (step == 0) throw EvalError("slice step cannot be zero");
  auto bound = [&](const Value* v, int64_t dflt) {
    if (!v) return dflt;
    int64_t i = v->integer();
    if (i < 0) i += n;
    if (step > 0) return std::clamp<int64_t>(i, 0, n);
    return std::clamp<int64_t>(i, -1, n - 1);
  };
  const int64_t b = bound(start, step > 0 ? 0 : n - 1), e = bound(stop, step > 0 ? n : -1);
  std::vector<size_t> picked;
  for (int64_t i = b; step > 0 ? i < e : i > e; i += step) picked.push_back(static_cast<size_t>(i));
  return picked;
}

}  // namespace lmc::jinja
