// Statements evaluated as Jinja2 evaluates them (renderer.h); expressions are in
// renderer_expressions.cpp.
#include "jinja/renderer.h"

#include "jinja/python_text.h"

namespace lmc::jinja {

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

}  // namespace lmc::jinja
