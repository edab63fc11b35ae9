// The globals of globals.h.
#include "jinja/globals.h"

#include <ctime>

namespace lmc::jinja {

namespace {

void define(Frame& root, const char* name, std::function<Value(Renderer&, CallArgs&)> fn) {
  auto c = std::make_shared<Callable>();
  c->name = name;
  c->call = std::move(fn);
  root.vars[name] = Value(CallablePtr(c));
}

Value range(Renderer& r, CallArgs& a) {
  if (!a.keyword.empty()) throw EvalError("range() takes no keyword arguments");
  std::vector<int64_t> n;
  for (const Value& v : a.positional) {
    if (!v.is_int()) throw EvalError("range() takes integers, not " + type_name(v));
    n.push_back(v.integer());
  }
  if (n.empty() || n.size() > 3) throw EvalError("range() takes 1 to 3 arguments");
  const int64_t start = n.size() == 1 ? 0 : n[0], stop = n.size() == 1 ? n[0] : n[1], step = n.size() == 3 ? n[2] : 1;
  if (step == 0) throw EvalError("range() arg 3 must not be zero");
  List out;
  for (__int128 i = start; step > 0 ? i < stop : i > stop; i += step) {
    r.count_iterations(1);
    out.push_back(Value(static_cast<int64_t>(i)));
  }
  return Value(std::move(out));
}

// dict(...) and namespace(...): a mapping to copy, then keywords.
Value mapping(Renderer& r, CallArgs& a, bool is_namespace) {
  Value d = make_dict();
  d.as<DictPtr>()->is_namespace = is_namespace;
  if (a.positional.size() > 1) throw EvalError("dict() takes at most 1 positional argument");
  if (!a.positional.empty()) {
    const Value& from = a.positional[0];
    if (!from.is<DictPtr>() || from.dict().is_namespace) throw EvalError("dict() copies a mapping only");
    for (const auto& [k, v] : from.dict().entries()) d.as<DictPtr>()->set(k, v);
  }
  for (const auto& [k, v] : a.keyword) d.as<DictPtr>()->set(Value(k), v);
  if (is_namespace) r.track_namespace(d.as<DictPtr>());
  return d;
}

Value strftime_now(Renderer&, CallArgs& a) {
  Params p("strftime_now", a, {"format"});
  if (!p.get(0) || !p.get(0)->is_string()) throw EvalError("strftime_now() takes a format string");
  const std::string& format = p.get(0)->str();
  if (format.size() > 256) throw EvalError("strftime_now() format longer than 256 bytes");
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buf[4096];
  const size_t n = format.empty() ? 0 : std::strftime(buf, sizeof buf, format.c_str(), &local);
  return Value(std::string(buf, n));
}

}  // namespace

void add_globals(Frame& root) {
  define(root, "range", range);
  define(root, "dict", [](Renderer& r, CallArgs& a) { return mapping(r, a, false); });
  define(root, "namespace", [](Renderer& r, CallArgs& a) { return mapping(r, a, true); });
  define(root, "strftime_now", strftime_now);
  define(root, "raise_exception", [](Renderer&, CallArgs& a) -> Value {
    Params p("raise_exception", a, {"message"});
    throw EvalError(p.get(0) ? to_str(*p.get(0)) : "raise_exception() called");
  });
}

std::set<std::string> global_names() {
  Frame root;
  add_globals(root);
  std::set<std::string> names;
  for (const auto& [name, value] : root.vars) names.insert(name);
  return names;
}

}  // namespace lmc::jinja
