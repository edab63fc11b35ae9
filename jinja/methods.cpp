// The methods of methods.h, each a small function over its receiver.
#include "jinja/methods.h"

#include <unordered_map>

#include "jinja/python_text.h"
#include "jinja/renderer.h"

namespace lmc::jinja {

namespace {

using Method = Value (*)(const Value& self, CallArgs& args);

std::optional<std::string> optional_string(const Params& p, size_t i) {
  const Value* v = p.get(i);
  if (!v || v->is_none()) return std::nullopt;
  if (!v->is_string()) throw EvalError(p.builtin + "() arg must be None or str, not " + type_name(*v));
  return v->str();
}

std::string string_arg(const Params& p, size_t i) {
  const Value* v = p.get(i);
  if (!v) throw EvalError(p.builtin + "() missing a required argument");
  if (!v->is_string()) throw EvalError(p.builtin + "() argument must be str, not " + type_name(*v));
  return v->str();
}

Value strip_method(const Value& self, CallArgs& a, const char* name, StripSide side) {
  Params p(name, a, {"chars"});
  return Value(strip(self.str(), side, optional_string(p, 0)));
}

Value to_list(const std::vector<std::string>& parts) {
  List out;
  for (const auto& s : parts) out.push_back(Value(s));
  return Value(std::move(out));
}

// startswith/endswith: a str or a tuple (a list here) of them.
Value affix_method(const Value& self, CallArgs& a, const char* name, bool at_start) {
  Params p(name, a, {"affix"});
  const Value* arg = p.get(0);
  if (!arg) throw EvalError(std::string(name) + "() takes at least 1 argument");
  List options = arg->is<ListPtr>() ? arg->list() : List{*arg};
  const std::string& s = self.str();
  for (const Value& o : options) {
    if (!o.is_string()) throw EvalError(std::string(name) + "() argument must be str or a tuple of str");
    const std::string& x = o.str();
    if (x.size() <= s.size() && s.compare(at_start ? 0 : s.size() - x.size(), x.size(), x) == 0) return Value(true);
  }
  return Value(false);
}

const std::unordered_map<std::string, Method>& string_methods() {
  static const std::unordered_map<std::string, Method> m = {
      {"strip", [](const Value& s, CallArgs& a) { return strip_method(s, a, "strip", StripSide::kBoth); }},
      {"lstrip", [](const Value& s, CallArgs& a) { return strip_method(s, a, "lstrip", StripSide::kLeft); }},
      {"rstrip", [](const Value& s, CallArgs& a) { return strip_method(s, a, "rstrip", StripSide::kRight); }},
      {"split",
       [](const Value& s, CallArgs& a) {
         Params p("split", a, {"sep", "maxsplit"});
         auto sep = optional_string(p, 0);
         if (sep && sep->empty()) throw EvalError("split(): empty separator");
         return to_list(split(s.str(), sep, p.int_or(1, -1)));
       }},
      {"startswith", [](const Value& s, CallArgs& a) { return affix_method(s, a, "startswith", true); }},
      {"endswith", [](const Value& s, CallArgs& a) { return affix_method(s, a, "endswith", false); }},
      {"upper",
       [](const Value& s, CallArgs& a) {
         Params("upper", a, {});
         return Value(upper(s.str()));
       }},
      {"lower",
       [](const Value& s, CallArgs& a) {
         Params("lower", a, {});
         return Value(lower(s.str()));
       }},
      {"title",
       [](const Value& s, CallArgs& a) {
         Params("title", a, {});
         return Value(title(s.str()));
       }},
      {"capitalize",
       [](const Value& s, CallArgs& a) {
         Params("capitalize", a, {});
         return Value(capitalize(s.str()));
       }},
      {"replace",
       [](const Value& s, CallArgs& a) {
         Params p("replace", a, {"old", "new", "count"});
         return Value(check_text(replace(s.str(), string_arg(p, 0), string_arg(p, 1), p.int_or(2, -1))));
       }},
      {"find",
       [](const Value& s, CallArgs& a) {
         Params p("find", a, {"sub"});
         const size_t at = s.str().find(string_arg(p, 0));
         return Value(at == std::string::npos ? int64_t{-1} : static_cast<int64_t>(char_length(s.str().substr(0, at))));
       }},
      {"count",
       [](const Value& s, CallArgs& a) {
         Params p("count", a, {"sub"});
         const std::string sub = string_arg(p, 0);
         if (sub.empty()) return Value(static_cast<int64_t>(char_length(s.str()) + 1));
         int64_t n = 0;
         for (size_t at = s.str().find(sub); at != std::string::npos; at = s.str().find(sub, at + sub.size())) ++n;
         return Value(n);
       }},
      {"join",
       [](const Value& s, CallArgs& a) {
         Params p("join", a, {"iterable"});
         const Value* items = p.get(0);
         if (!items || !items->is<ListPtr>()) throw EvalError("join() takes a list of str");
         std::string out;
         for (size_t i = 0; i < items->list().size(); ++i) {
           const Value& v = items->list()[i];
           if (!v.is_string())
             throw EvalError("sequence item " + std::to_string(i) + ": expected str instance, " + type_name(v) +
                             " found");
           check_text(out += (i ? s.str() : "") + v.str());
         }
         return Value(std::move(out));
       }},
  };
  return m;
}

enum class DictPart { kKeys, kValues, kPairs };

// items(), keys() and values(): the entries in insertion order.
Value dict_view(const Value& d, CallArgs& a, const char* name, DictPart part) {
  Params(name, a, {});
  List out;
  for (const auto& [k, v] : d.dict().entries())
    out.push_back(part == DictPart::kKeys ? k : part == DictPart::kValues ? v : make_pair(k, v));
  return Value(std::move(out));
}

const std::unordered_map<std::string, Method>& dict_methods() {
  static const std::unordered_map<std::string, Method> m = {
      {"items", [](const Value& d, CallArgs& a) { return dict_view(d, a, "items", DictPart::kPairs); }},
      {"keys", [](const Value& d, CallArgs& a) { return dict_view(d, a, "keys", DictPart::kKeys); }},
      {"values", [](const Value& d, CallArgs& a) { return dict_view(d, a, "values", DictPart::kValues); }},
      {"get",
       [](const Value& d, CallArgs& a) {
         Params p("get", a, {"key", "default"});
         if (!p.get(0)) throw EvalError("get() takes at least 1 argument");
         const Value* v = d.dict().find(*p.get(0));
         return v ? *v : p.get_or(1, Value(None{}));
       }},
  };
  return m;
}

const std::unordered_map<std::string, Method>& list_methods() {
  static const std::unordered_map<std::string, Method> m = {
      {"index",
       [](const Value& l, CallArgs& a) {
         Params p("index", a, {"value"});
         for (size_t i = 0; p.get(0) && i < l.list().size(); ++i)
           if (equal(l.list()[i], *p.get(0))) return Value(static_cast<int64_t>(i));
         throw EvalError("list.index(x): x not in list");
       }},
      {"count",
       [](const Value& l, CallArgs& a) {
         Params p("count", a, {"value"});
         int64_t n = 0;
         for (const Value& v : l.list()) n += p.get(0) && equal(v, *p.get(0));
         return Value(n);
       }},
  };
  return m;
}

}  // namespace

Value bound_method(const Value& obj, const std::string& name) {
  const std::unordered_map<std::string, Method>* table = obj.is_string() ? &string_methods()
                                                         : obj.is<DictPtr>() && !obj.dict().is_namespace
                                                             ? &dict_methods()
                                                         : obj.is<ListPtr>() ? &list_methods()
                                                                             : nullptr;
  if (!table) return Value();
  auto it = table->find(name);
  if (it == table->end()) return Value();
  auto c = std::make_shared<Callable>();
  c->name = type_name(obj) + "." + name;
  c->call = [self = obj, method = it->second](Renderer&, CallArgs& args) { return method(self, args); };
  return Value(CallablePtr(c));
}

}  // namespace lmc::jinja
