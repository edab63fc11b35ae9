// Statements and expressions evaluated as Jinja2 evaluates them (renderer.h).
#include "jinja/renderer.h"

#include <limits>

#include "jinja/filters.h"
#include "jinja/methods.h"
#include "jinja/python_operators.h"
#include "jinja/python_text.h"
#include "jinja/tests.h"

namespace lmc::jinja {

namespace {

[[noreturn]] void undefined_used(const Value& v) { throw EvalError(v.as<Undefined>().hint); }

}  // namespace

Value Frame::lookup(const std::string& name) const {
  for (const Frame* f = this; f; f = f->parent) {
    auto it = f->vars.find(name);
    if (it != f->vars.end()) return it->second;
  }
  return Value::undefined("'" + name + "' is undefined");
}

Renderer::~Renderer() {
  for (const DictPtr& ns : namespaces_) ns->clear();
}

std::string Renderer::render(const Body& body, Frame& root) {
  root_ = &root;
  std::string out;
  exec(body, root, out);
  return out;
}

void Renderer::write(std::string& out, const std::string& text) {
  if (out.size() + text.size() > limits_.max_output_bytes)
    throw EvalError("the output passes " + std::to_string(limits_.max_output_bytes) + " bytes");
  out += text;
}

void Renderer::count_iterations(uint64_t n) {
  iterations_ += n;
  if (iterations_ > limits_.max_loop_iterations)
    throw EvalError("loops ran more than " + std::to_string(limits_.max_loop_iterations) + " iterations");
}

const Value& Renderer::checked(const Value& v) const {
  const size_t size = v.is_string() ? v.str().size() : v.is<ListPtr>() ? v.list().size() : 0;
  if (size > limits_.max_output_bytes)
    throw EvalError("a " + type_name(v) + " grew past " + std::to_string(limits_.max_output_bytes) + " elements");
  return v;
}

Renderer::Flow Renderer::exec(const Body& body, Frame& frame, std::string& out) {
  for (const auto& s : body) {
    const Flow flow = exec(*s, frame, out);
    if (flow != Flow::kNormal) return flow;
  }
  return Flow::kNormal;
}

Renderer::Flow Renderer::exec(const Stmt& s, Frame& frame, std::string& out) {
  line_ = s.line;
  switch (s.kind) {
    case StmtKind::kText:
      write(out, s.text);
      break;
    case StmtKind::kOutput:
      write(out, to_str(eval(*s.expr, frame)));
      break;
    case StmtKind::kIf:
      for (const auto& [cond, body] : s.branches)
        if (truthy(eval(*cond, frame))) return exec(body, frame, out);
      return exec(s.else_body, frame, out);
    case StmtKind::kFor:
      exec_for(s, frame, out);
      break;
    case StmtKind::kSet:
      exec_set(s, frame);
      break;
    case StmtKind::kSetBlock: {
      std::string text;
      exec(s.body, frame, text);
      frame.vars[s.targets[0]] = Value(std::move(text));
      break;
    }
    case StmtKind::kMacro:
      frame.vars[s.text] = define_macro(s, nullptr, frame);
      break;
    case StmtKind::kCallBlock: {
      CallArgs args = eval_args(*s.expr, frame, 1);
      args.keyword.emplace_back("caller", define_macro(s, &s.body, frame));
      write(out, to_str(call(eval(*s.expr->items[0], frame), args)));
      break;
    }
    case StmtKind::kBlock:
      return exec(s.body, frame, out);
    case StmtKind::kBreak:
      return Flow::kBreak;
    case StmtKind::kContinue:
      return Flow::kContinue;
  }
  return Flow::kNormal;
}

void Renderer::exec_for(const Stmt& s, Frame& frame, std::string& out) {
  const Value seq = eval(*s.expr, frame);
  if (!seq.is_undefined() && !seq.is_string() && !seq.is<ListPtr>() && !seq.is<DictPtr>())
    throw EvalError("'" + type_name(seq) + "' object is not iterable");
  List all = iterate(seq);
  auto bind = [&](Frame& f, const Value& item) {
    if (s.targets.size() == 1) return void(f.vars[s.targets[0]] = item);
    const List parts = iterate(item);
    if (parts.size() != s.targets.size())
      throw EvalError("cannot unpack " + std::to_string(parts.size()) + " values into " +
                      std::to_string(s.targets.size()) + " names");
    for (size_t i = 0; i < parts.size(); ++i) f.vars[s.targets[i]] = parts[i];
  };
  if (s.condition) {  // the loop filter decides which items the loop (and loop.length) sees
    List kept;
    for (const Value& item : all) {
      count_iterations(1);
      Frame f{&frame, {}};
      bind(f, item);
      if (truthy(eval(*s.condition, f))) kept.push_back(item);
    }
    all = std::move(kept);
  }
  if (all.empty()) {
    exec(s.else_body, frame, out);
    return;
  }
  const int64_t n = static_cast<int64_t>(all.size());
  for (int64_t i = 0; i < n; ++i) {
    count_iterations(1);
    Frame f{&frame, {}};
    bind(f, all[static_cast<size_t>(i)]);
    Value loop = make_dict();
    Dict& d = *loop.as<DictPtr>();
    d.set("index", Value(i + 1));
    d.set("index0", Value(i));
    d.set("revindex", Value(n - i));
    d.set("revindex0", Value(n - i - 1));
    d.set("first", Value(i == 0));
    d.set("last", Value(i == n - 1));
    d.set("length", Value(n));
    d.set("depth", Value(1));
    d.set("depth0", Value(0));
    if (i > 0) d.set("previtem", all[static_cast<size_t>(i - 1)]);
    if (i + 1 < n) d.set("nextitem", all[static_cast<size_t>(i + 1)]);
    auto cycle = std::make_shared<Callable>();
    cycle->name = "cycle";
    cycle->call = [i](Renderer&, CallArgs& a) {
      if (a.positional.empty()) throw EvalError("no items for cycling given");
      return a.positional[static_cast<size_t>(i) % a.positional.size()];
    };
    d.set("cycle", Value(CallablePtr(cycle)));
    f.vars["loop"] = loop;
    if (exec(s.body, f, out) == Flow::kBreak) break;
  }
}

void Renderer::exec_set(const Stmt& s, Frame& frame) {
  Value v = eval(*s.expr, frame);
  if (!s.attribute.empty()) {
    const Value target = frame.lookup(s.targets[0]);
    if (!target.is<DictPtr>() || !target.dict().is_namespace)
      throw EvalError("cannot assign attribute on non-namespace object '" + s.targets[0] + "'");
    target.as<DictPtr>()->set(Value(s.attribute), std::move(v));
    return;
  }
  if (s.targets.size() == 1) {
    frame.vars[s.targets[0]] = std::move(v);
    return;
  }
  const List parts = iterate(v);
  if (parts.size() != s.targets.size())
    throw EvalError("cannot unpack " + std::to_string(parts.size()) + " values into " +
                    std::to_string(s.targets.size()) + " names");
  for (size_t i = 0; i < parts.size(); ++i) frame.vars[s.targets[i]] = parts[i];
}

Value Renderer::define_macro(const Stmt& s, const Body* caller_body, Frame& frame) {
  auto c = std::make_shared<Callable>();
  c->name = caller_body ? "caller" : s.text;
  if (caller_body) {
    // A call block's body sees the names around it: a copy of them, as the caller may
    // outlive the frames it was made in.
    auto seen = std::make_shared<Frame>(Frame{root_, {}});
    for (const Frame* at = &frame; at && at != root_; at = at->parent)
      for (const auto& [k, v] : at->vars) seen->vars.emplace(k, v);
    c->call = [&s, seen](Renderer& r, CallArgs& args) {
      Params("caller", args, {});
      Frame f{seen.get(), {}};
      std::string text;
      r.exec(s.body, f, text);
      return Value(std::move(text));
    };
  } else {
    c->call = [&s](Renderer& r, CallArgs& args) { return r.call_macro(s, args); };
  }
  return Value(CallablePtr(c));
}

Value Renderer::call_macro(const Stmt& s, CallArgs& args) {
  if (call_depth_ >= limits_.max_call_depth)
    throw EvalError("macros nested deeper than " + std::to_string(limits_.max_call_depth) + " calls");
  ++call_depth_;
  const int caller_line = line_;
  Frame f{root_, {}};
  if (args.positional.size() > s.params.size())
    throw EvalError("macro '" + s.text + "' takes not more than " + std::to_string(s.params.size()) + " argument(s)");
  for (size_t i = 0; i < s.params.size(); ++i) {
    const auto& [name, def] = s.params[i];
    if (i < args.positional.size())
      f.vars[name] = args.positional[i];
    else if (def)
      f.vars[name] = eval(*def, f);
    else
      f.vars[name] = Value::undefined("'" + name + "' is undefined");
  }
  for (auto& [key, value] : args.keyword) {
    bool known = key == "caller";
    for (const auto& p : s.params) known = known || p.first == key;
    if (!known) throw EvalError("macro '" + s.text + "' takes no keyword argument '" + key + "'");
    f.vars[key] = value;
  }
  std::string text;
  exec(s.body, f, text);
  --call_depth_;
  line_ = caller_line;
  return Value(std::move(text));
}

List Renderer::iterate(const Value& v) {
  if (v.is<ListPtr>()) return v.list();
  List out;
  if (v.is<DictPtr>()) {
    if (v.dict().is_namespace) throw EvalError("'Namespace' object is not iterable");
    for (const auto& [k, val] : v.dict().entries()) out.push_back(k);
  } else if (v.is_string()) {
    const auto cuts = char_cuts(v.str());
    for (size_t i = 0; i + 1 < cuts.size(); ++i) out.push_back(Value(v.str().substr(cuts[i], cuts[i + 1] - cuts[i])));
  } else if (!v.is_undefined()) {
    throw EvalError("'" + type_name(v) + "' object is not iterable");
  }
  return out;
}

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
