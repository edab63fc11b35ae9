// Expressions evaluated as Jinja2 evaluates them (renderer.h): attribute and item access,
// slices, calls with their arguments bound, filters and tests, operators and comparisons.
#include <limits>

#include "jinja/filters.h"
#include "jinja/methods.h"
#include "jinja/python_operators.h"
#include "jinja/python_text.h"
#include "jinja/renderer.h"
#include "jinja/tests.h"

namespace lmc::jinja {

namespace {

[[noreturn]] void undefined_used(const Value& v) { throw EvalError(v.as<Undefined>().hint); }

}  // namespace

Value Renderer::attribute(const Value& obj, const std::string& name) {
  if (obj.is_undefined()) undefined_used(obj);
  if (obj.is<DictPtr>() && !obj.dict().is_namespace) {
    Value m = bound_method(obj, name);
    if (!m.is_undefined()) return m;
  }
  if (obj.is<DictPtr>()) {
    if (const Value* v = obj.dict().find(Value(name))) return *v;
  } else {
    Value m = bound_method(obj, name);
    if (!m.is_undefined()) return m;
  }
  return Value::undefined("'" + type_name(obj) + " object' has no attribute '" + name + "'");
}

Value Renderer::item(const Value& obj, const Value& key) {
  if (obj.is_undefined()) undefined_used(obj);
  if (obj.is<DictPtr>() && !obj.dict().is_namespace) {
    if (key.is_string() || key.is_number() || key.is_none()) {
      if (const Value* v = obj.dict().find(key)) return *v;
    }
  } else if ((obj.is<ListPtr>() || obj.is_string()) && key.is_int()) {
    const std::vector<size_t> cuts = obj.is_string() ? char_cuts(obj.str()) : std::vector<size_t>{};
    const int64_t n = obj.is_string() ? static_cast<int64_t>(cuts.size()) - 1 : static_cast<int64_t>(obj.list().size());
    int64_t i = key.integer();
    if (i < 0) i += n;
    if (i >= 0 && i < n) {
      const auto u = static_cast<size_t>(i);
      return obj.is_string() ? Value(obj.str().substr(cuts[u], cuts[u + 1] - cuts[u])) : obj.list()[u];
    }
  }
  if (key.is_string()) return attribute(obj, key.str());
  return Value::undefined("'" + type_name(obj) + " object' has no element " + repr(key));
}

Value Renderer::filter(const std::string& name, const Value& subject, CallArgs& args) {
  return apply_filter(*this, name, subject, args);
}

bool Renderer::test(const std::string& name, const Value& subject, CallArgs& args) {
  return apply_test(*this, name, subject, args);
}

Value Renderer::call(const Value& callee, CallArgs& args) {
  if (callee.is_undefined()) undefined_used(callee);
  if (!callee.is<CallablePtr>()) throw EvalError("'" + type_name(callee) + "' object is not callable");
  const CallablePtr fn = callee.as<CallablePtr>();
  return checked(fn->call(*this, args));
}

CallArgs Renderer::eval_args(const Expr& e, Frame& f, size_t first) {
  CallArgs args;
  for (size_t i = first; i < e.items.size(); ++i) args.positional.push_back(eval(*e.items[i], f));
  for (const auto& [k, v] : e.keywords) args.keyword.emplace_back(k, eval(*v, f));
  return args;
}

Value Renderer::slice(const Value& obj, const Expr& e, Frame& f) {
  Value bounds[3];
  const Value* given[3] = {nullptr, nullptr, nullptr};
  for (int i = 0; i < 3; ++i) {
    if (!e.items[static_cast<size_t>(i) + 1]) continue;
    bounds[i] = eval(*e.items[static_cast<size_t>(i) + 1], f);
    if (bounds[i].is_none()) continue;
    if (!bounds[i].is_int()) throw EvalError("slice indices must be integers or None, not " + type_name(bounds[i]));
    given[i] = &bounds[i];
  }
  if (obj.is_undefined()) undefined_used(obj);
  if (obj.is_string()) {
    const auto cuts = char_cuts(obj.str());
    std::string out;
    for (size_t i : slice_indices(static_cast<int64_t>(cuts.size()) - 1, given[0], given[1], given[2]))
      out += obj.str().substr(cuts[i], cuts[i + 1] - cuts[i]);
    return Value(std::move(out));
  }
  if (!obj.is<ListPtr>()) throw EvalError("'" + type_name(obj) + "' object is not subscriptable");
  List out;
  for (size_t i : slice_indices(static_cast<int64_t>(obj.list().size()), given[0], given[1], given[2]))
    out.push_back(obj.list()[i]);
  return Value(std::move(out));
}

Value Renderer::eval(const Expr& e, Frame& f) {
  Value v = eval_node(e, f);
  work_ += v.is_string() ? v.str().size() : v.is<ListPtr>() ? v.list().size() : v.is<DictPtr>() ? v.dict().size() : 1;
  if (work_ > limits_.max_work)
    throw EvalError("the render touched more than " + std::to_string(limits_.max_work) + " bytes and elements");
  return v;
}

Value Renderer::eval_node(const Expr& e, Frame& f) {
  line_ = e.line;
  switch (e.kind) {
    case ExprKind::kLiteral:
      return e.value;
    case ExprKind::kName:
      return f.lookup(e.name);
    case ExprKind::kList: {
      List items;
      items.tuple = e.name == "tuple";
      for (const auto& i : e.items) items.push_back(eval(*i, f));
      return Value(std::move(items));
    }
    case ExprKind::kDict: {
      Value d = make_dict();
      for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
        Value k = eval(*e.items[i], f);
        d.as<DictPtr>()->set(k, eval(*e.items[i + 1], f));
      }
      return d;
    }
    case ExprKind::kUnary: {
      const Value v = eval(*e.items[0], f);
      if (e.name == "not") return Value(!truthy(v));
      if (v.is_undefined()) undefined_used(v);
      if (!v.is_number()) throw EvalError("bad operand type for unary " + e.name + ": '" + type_name(v) + "'");
      if (e.name == "+") return v.is<double>() ? v : Value(v.integer());
      if (v.is<double>()) return Value(-v.as<double>());
      if (v.integer() == std::numeric_limits<int64_t>::min()) throw EvalError("integer overflow");
      return Value(-v.integer());
    }
    case ExprKind::kBinary:
      return checked(eval_binary(e, f));
    case ExprKind::kCompare:
      return eval_compare(e, f);
    case ExprKind::kCondition:
      if (truthy(eval(*e.items[1], f))) return eval(*e.items[0], f);
      if (e.items[2]) return eval(*e.items[2], f);
      return Value::undefined("the inline if expression evaluated to false and no else section was defined");
    case ExprKind::kAttribute: {
      const Value obj = eval(*e.items[0], f);
      line_ = e.line;
      return attribute(obj, e.name);
    }
    case ExprKind::kItem: {
      const Value obj = eval(*e.items[0], f);
      const Value key = eval(*e.items[1], f);
      line_ = e.line;
      return item(obj, key);
    }
    case ExprKind::kSlice:
      return slice(eval(*e.items[0], f), e, f);
    case ExprKind::kCall: {
      const Value callee = eval(*e.items[0], f);
      CallArgs args = eval_args(e, f, 1);
      line_ = e.line;
      return call(callee, args);
    }
    case ExprKind::kFilter: {
      const Value subject = eval(*e.items[0], f);
      CallArgs args = eval_args(e, f, 1);
      line_ = e.line;
      return checked(filter(e.name, subject, args));
    }
    case ExprKind::kTest: {
      const Value subject = eval(*e.items[0], f);
      CallArgs args = eval_args(e, f, 1);
      line_ = e.line;
      return Value(test(e.name, subject, args) != e.negated);
    }
  }
  return Value();
}

Value Renderer::eval_binary(const Expr& e, Frame& f) {
  const Value a = eval(*e.items[0], f);
  if (e.name == "and") return truthy(a) ? eval(*e.items[1], f) : a;
  if (e.name == "or") return truthy(a) ? a : eval(*e.items[1], f);
  const Value b = eval(*e.items[1], f);
  line_ = e.line;
  if (e.name == "~") return Value(to_str(a) + to_str(b));
  return arithmetic(e.name, a, b, limits_.max_output_bytes);
}

Value Renderer::eval_compare(const Expr& e, Frame& f) {
  Value left = eval(*e.items[0], f);
  for (size_t i = 0; i < e.ops.size(); ++i) {
    Value right = eval(*e.items[i + 1], f);
    line_ = e.line;
    const std::string& op = e.ops[i];
    bool holds;
    if (op == "==")
      holds = equal(left, right);
    else if (op == "!=")
      holds = !equal(left, right);
    else if (op == "in")
      holds = contains(right, left);
    else if (op == "not in")
      holds = !contains(right, left);
    else if (op == "<")
      holds = less(left, right);
    else if (op == ">")
      holds = less(right, left);
    else if (op == "<=")
      holds = !less(right, left);
    else
      holds = !less(left, right);
    if (!holds) return Value(false);
    left = std::move(right);
  }
  return Value(true);
}

Params::Params(const std::string& name, CallArgs& args, std::initializer_list<const char*> names)
    : builtin(name), bound_(names.size(), nullptr) {
  if (args.positional.size() > names.size())
    throw EvalError(name + "() takes at most " + std::to_string(names.size()) + " argument(s), " +
                    std::to_string(args.positional.size()) + " given");
  for (size_t i = 0; i < args.positional.size(); ++i) bound_[i] = &args.positional[i];
  for (const auto& [key, value] : args.keyword) {
    size_t i = 0;
    for (const char* n : names) {
      if (key == n) break;
      ++i;
    }
    if (i == names.size()) throw EvalError(name + "() got an unexpected keyword argument '" + key + "'");
    if (bound_[i]) throw EvalError(name + "() got multiple values for argument '" + key + "'");
    bound_[i] = &value;
  }
}

int64_t Params::int_or(size_t i, int64_t fallback) const {
  if (!bound_[i]) return fallback;
  if (!bound_[i]->is_int()) throw EvalError(builtin + "() expects an integer, not " + type_name(*bound_[i]));
  return bound_[i]->integer();
}

}  // namespace lmc::jinja
