// The filters of filters.h, as jinja2/filters.py defines them (and HF's tojson).
#include "jinja/filters.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <unordered_map>

#include "jinja/json_value.h"
#include "jinja/python_text.h"
#include "jinja/renderer.h"

namespace lmc::jinja {

namespace {

using FilterFn = Value (*)(Renderer& r, const Value& v, CallArgs& a);

std::string text_of(const Value& v) { return to_str(v); }

// An attribute path "a.b.0" as Jinja2's make_attrgetter follows it, through items.
Value follow(Renderer& r, Value v, const Value& path) {
  if (!path.is_string()) return r.item(v, path);
  for (const std::string& part : split(path.str(), std::string("."), -1)) {
    const bool digits = !part.empty() && std::all_of(part.begin(), part.end(), ::isdigit);
    v = digits ? r.item(v, Value(static_cast<int64_t>(std::strtoll(part.c_str(), nullptr, 10))))
               : r.item(v, Value(part));
  }
  return v;
}

Value list_of(Renderer& r, const Value& v) { return Value(r.iterate(v)); }

Value filter_join(Renderer& r, const Value& v, CallArgs& a) {
  Params p("join", a, {"d", "attribute"});
  const std::string sep = text_of(p.get_or(0, Value("")));
  std::string out;
  bool first = true;
  for (const Value& item : r.iterate(v)) {
    const Value x = p.get(1) ? follow(r, item, *p.get(1)) : item;
    check_text(out += (first ? "" : sep) + text_of(x));
    first = false;
  }
  return Value(std::move(out));
}

Value filter_default(Renderer&, const Value& v, CallArgs& a) {
  Params p("default", a, {"default_value", "boolean"});
  const bool use = p.get(1) && truthy(*p.get(1)) ? !truthy(v) : v.is_undefined();
  return use ? p.get_or(0, Value("")) : v;
}

Value filter_tojson(Renderer&, const Value& v, CallArgs& a) {
  Params p("tojson", a, {"ensure_ascii", "indent", "separators", "sort_keys"});
  JsonDumpOptions o;
  o.ensure_ascii = p.get(0) && truthy(*p.get(0));
  if (const Value* s = p.get(2); s && !s->is_none()) {
    if (!s->is<ListPtr>() || s->list().size() != 2 || !s->list()[0].is_string() || !s->list()[1].is_string())
      throw EvalError("tojson(separators=...) takes two strings: (item separator, key separator)");
    o.item_separator = s->list()[0].str();
    o.key_separator = s->list()[1].str();
  }
  if (const Value* indent = p.get(1); indent && !indent->is_none()) {
    if (indent->is_int())
      o.indent = std::string(static_cast<size_t>(std::clamp<int64_t>(indent->integer(), 0, 64)), ' ');
    else if (indent->is_string())
      o.indent = indent->str();
    else
      throw EvalError("tojson(indent=...) takes an int or a str");
  }
  o.sort_keys = p.get(3) && truthy(*p.get(3));
  return Value(to_json_text(v, o));
}

Value filter_length(Renderer&, const Value& v, CallArgs& a) {
  Params("length", a, {});
  if (v.is_string()) return Value(static_cast<int64_t>(char_length(v.str())));
  if (v.is<ListPtr>()) return Value(static_cast<int64_t>(v.list().size()));
  if (v.is<DictPtr>() && !v.dict().is_namespace) return Value(static_cast<int64_t>(v.dict().size()));
  if (v.is_undefined()) return Value(0);
  throw EvalError("object of type '" + type_name(v) + "' has no len()");
}

Value filter_first_last(Renderer& r, const Value& v, CallArgs& a, bool first) {
  Params(first ? "first" : "last", a, {});
  const List items = r.iterate(v);
  if (items.empty())
    return Value::undefined(std::string("no ") + (first ? "first" : "last") + " item, sequence was empty");
  return first ? items.front() : items.back();
}

Value filter_int(Renderer&, const Value& v, CallArgs& a) {
  Params p("int", a, {"default", "base"});
  const int64_t fallback = p.int_or(0, 0);
  if (v.is_int()) return Value(v.integer());
  if (v.is<double>()) {
    const double d = v.as<double>();
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18) return Value(fallback);
    return Value(static_cast<int64_t>(d));
  }
  if (v.is_string()) {
    const std::string s = strip(v.str(), StripSide::kBoth);
    char* end = nullptr;
    errno = 0;
    const long long i = std::strtoll(s.c_str(), &end, static_cast<int>(p.int_or(1, 10)));
    if (!s.empty() && *end == '\0' && errno == 0) return Value(static_cast<int64_t>(i));
    const double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0' && std::isfinite(d) && std::fabs(d) < 9.2e18) return Value(static_cast<int64_t>(d));
  }
  return Value(fallback);
}

Value filter_float(Renderer&, const Value& v, CallArgs& a) {
  Params p("float", a, {"default"});
  if (v.is_number()) return Value(v.number());
  if (v.is_string()) {
    const std::string s = strip(v.str(), StripSide::kBoth);
    char* end = nullptr;
    const double d = std::strtod(s.c_str(), &end);
    if (!s.empty() && *end == '\0') return Value(d);
  }
  return p.get_or(0, Value(0.0));
}

Value filter_items(Renderer&, const Value& v, CallArgs& a) {
  Params("items", a, {});
  if (v.is_undefined()) return Value(List{});
  if (!v.is<DictPtr>() || v.dict().is_namespace) throw EvalError("can only get item pairs from a mapping");
  List out;
  for (const auto& [k, val] : v.dict().entries()) out.push_back(make_pair(k, val));
  return Value(std::move(out));
}

Value filter_replace(Renderer&, const Value& v, CallArgs& a) {
  Params p("replace", a, {"old", "new", "count"});
  if (!p.get(0) || !p.get(1)) throw EvalError("replace() takes an old and a new string");
  return Value(check_text(replace(text_of(v), text_of(*p.get(0)), text_of(*p.get(1)), p.int_or(2, -1))));
}

// map: a filter by name over each item, or map(attribute=...).
Value filter_map(Renderer& r, const Value& v, CallArgs& a) {
  List out;
  const List items = truthy(v) ? r.iterate(v) : List{};  // Jinja2's map passes over a falsy value
  if (!a.positional.empty()) {
    if (!a.positional[0].is_string()) throw EvalError("map() takes a filter name");
    const std::string name = a.positional[0].str();
    CallArgs rest{{a.positional.begin() + 1, a.positional.end()}, a.keyword};
    for (const Value& item : items) {
      CallArgs each = rest;
      out.push_back(r.filter(name, item, each));
    }
    return Value(std::move(out));
  }
  Params p("map", a, {"attribute", "default"});
  if (!p.get(0)) throw EvalError("map() takes a filter name or attribute=");
  for (const Value& item : items) {
    Value x = follow(r, item, *p.get(0));
    out.push_back(x.is_undefined() && p.get(1) ? *p.get(1) : x);
  }
  return Value(std::move(out));
}

// select/reject (by a test on the item) and selectattr/rejectattr (on its attribute).
Value select(Renderer& r, const Value& v, CallArgs& a, bool on_attribute, bool keep) {
  const char* name = on_attribute ? (keep ? "selectattr" : "rejectattr") : (keep ? "select" : "reject");
  if (!a.keyword.empty()) throw EvalError(std::string(name) + "() takes positional arguments only");
  const size_t skip = on_attribute ? 1 : 0;
  if (on_attribute && a.positional.empty()) throw EvalError(std::string(name) + "() takes an attribute");
  std::string test;
  if (a.positional.size() > skip) {
    if (!a.positional[skip].is_string()) throw EvalError(std::string(name) + "() takes a test name");
    test = a.positional[skip].str();
  }
  List out;
  for (const Value& item : truthy(v) ? r.iterate(v) : List{}) {  // as map, a falsy value selects nothing
    const Value x = on_attribute ? follow(r, item, a.positional[0]) : item;
    bool passes;
    if (test.empty()) {
      passes = truthy(x);
    } else {
      CallArgs targs{{a.positional.begin() + static_cast<long>(skip) + 1, a.positional.end()}, {}};
      passes = r.test(test, x, targs);
    }
    if (passes == keep) out.push_back(item);
  }
  return Value(std::move(out));
}

Value sort_key(Renderer& r, const Value& item, const Value* attribute, bool case_sensitive) {
  Value k = attribute ? follow(r, item, *attribute) : item;
  if (!case_sensitive && k.is_string()) return Value(lower(k.str()));
  return k;
}

Value filter_sort(Renderer& r, const Value& v, CallArgs& a) {
  Params p("sort", a, {"reverse", "case_sensitive", "attribute"});
  const bool reverse = p.get(0) && truthy(*p.get(0));
  const bool cs = p.get(1) && truthy(*p.get(1));
  List items = r.iterate(v);
  std::vector<std::pair<Value, Value>> keyed;
  for (const Value& i : items) keyed.emplace_back(sort_key(r, i, p.get(2), cs), i);
  std::stable_sort(keyed.begin(), keyed.end(), [&](const auto& x, const auto& y) {
    return reverse ? less(y.first, x.first) : less(x.first, y.first);
  });
  List out;
  for (auto& [k, i] : keyed) out.push_back(i);
  return Value(std::move(out));
}

Value filter_dictsort(Renderer& r, const Value& v, CallArgs& a) {
  Params p("dictsort", a, {"case_sensitive", "by", "reverse"});
  if (!v.is<DictPtr>() || v.dict().is_namespace) throw EvalError("dictsort() takes a mapping");
  const bool by_value = p.get(1) && p.get(1)->is_string() && p.get(1)->str() == "value";
  const bool cs = p.get(0) && truthy(*p.get(0));
  const bool reverse = p.get(2) && truthy(*p.get(2));
  CallArgs no_args;
  List pairs = filter_items(r, v, no_args).list();
  std::stable_sort(pairs.begin(), pairs.end(), [&](const Value& x, const Value& y) {
    const Value kx = sort_key(r, x.list()[by_value ? 1 : 0], nullptr, cs);
    const Value ky = sort_key(r, y.list()[by_value ? 1 : 0], nullptr, cs);
    return reverse ? less(ky, kx) : less(kx, ky);
  });
  return Value(std::move(pairs));
}

Value filter_unique(Renderer& r, const Value& v, CallArgs& a) {
  Params p("unique", a, {"case_sensitive", "attribute"});
  const bool cs = p.get(0) && truthy(*p.get(0));
  List out, seen;
  for (const Value& i : r.iterate(v)) {
    const Value k = sort_key(r, i, p.get(1), cs);
    if (std::none_of(seen.begin(), seen.end(), [&](const Value& s) { return equal(s, k); })) {
      seen.push_back(k);
      out.push_back(i);
    }
  }
  return Value(std::move(out));
}

Value filter_reverse(Renderer& r, const Value& v, CallArgs& a) {
  Params("reverse", a, {});
  List items = r.iterate(v);
  std::reverse(items.begin(), items.end());
  if (!v.is_string()) return Value(std::move(items));
  std::string out;
  for (const Value& c : items) out += c.str();
  return Value(std::move(out));
}

Value filter_indent(Renderer&, const Value& v, CallArgs& a) {
  Params p("indent", a, {"width", "first", "blank"});
  std::string pad = p.get(0) && p.get(0)->is_string()
                        ? p.get(0)->str()
                        : std::string(static_cast<size_t>(std::clamp<int64_t>(p.int_or(0, 4), 0, 1024)), ' ');
  const bool first = p.get(1) && truthy(*p.get(1)), blank = p.get(2) && truthy(*p.get(2));
  std::string s = text_of(v);
  std::vector<std::string> lines = split(s, std::string("\n"), -1);
  std::string out;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i) out += '\n';
    if ((i > 0 || first) && (blank || !strip(lines[i], StripSide::kBoth).empty())) out += pad;
    check_text(out += lines[i]);
  }
  return Value(std::move(out));
}

Value filter_round(Renderer&, const Value& v, CallArgs& a) {
  Params p("round", a, {"precision", "method"});
  if (!v.is_number()) throw EvalError("round() takes a number, not " + type_name(v));
  const int64_t precision = std::clamp<int64_t>(p.int_or(0, 0), -300, 300);
  const std::string method = p.get(1) ? text_of(*p.get(1)) : "common";
  const double scale = std::pow(10.0, static_cast<double>(precision));
  const double x = v.number() * scale;
  double r;
  if (method == "common")
    r = std::round(x);
  else if (method == "floor")
    r = std::floor(x);
  else if (method == "ceil")
    r = std::ceil(x);
  else
    throw EvalError("method must be common, ceil or floor");
  return Value(r / scale);
}

Value filter_batch(Renderer& r, const Value& v, CallArgs& a) {
  Params p("batch", a, {"linecount", "fill_with"});
  const int64_t n = p.int_or(0, 0);
  if (n <= 0) throw EvalError("batch() takes a positive line count");
  List out, row;
  for (const Value& i : r.iterate(v)) {
    row.push_back(i);
    if (static_cast<int64_t>(row.size()) == n) out.push_back(Value(std::move(row))), row.clear();
  }
  if (!row.empty()) {
    if (p.get(1))
      while (static_cast<int64_t>(row.size()) < n) row.push_back(*p.get(1));
    out.push_back(Value(std::move(row)));
  }
  return Value(std::move(out));
}

Value filter_sum(Renderer& r, const Value& v, CallArgs& a) {
  Params p("sum", a, {"attribute", "start"});
  Value total = p.get_or(1, Value(0));
  for (const Value& i : r.iterate(v)) {
    const Value x = p.get(0) ? follow(r, i, *p.get(0)) : i;
    if (!x.is_number() || !total.is_number()) throw EvalError("sum() adds numbers only");
    int64_t s;
    if (x.is_int() && total.is_int() && !__builtin_add_overflow(total.integer(), x.integer(), &s))
      total = Value(s);
    else if (x.is_int() && total.is_int())
      throw EvalError("integer overflow");
    else
      total = Value(total.number() + x.number());
  }
  return total;
}

Value min_max(Renderer& r, const Value& v, CallArgs& a, bool want_max) {
  Params p(want_max ? "max" : "min", a, {"case_sensitive", "attribute"});
  const bool cs = p.get(0) && truthy(*p.get(0));
  const List items = r.iterate(v);
  if (items.empty())
    return Value::undefined("no " + std::string(want_max ? "largest" : "smallest") + " item, sequence was empty");
  size_t best = 0;
  for (size_t i = 1; i < items.size(); ++i) {
    const Value k = sort_key(r, items[i], p.get(1), cs), b = sort_key(r, items[best], p.get(1), cs);
    if (want_max ? less(b, k) : less(k, b)) best = i;
  }
  return items[best];
}

Value string_filter(const char* name, CallArgs& a, std::string s) {
  Params(name, a, {});
  return Value(std::move(s));
}

const std::unordered_map<std::string, FilterFn>& filters() {
  static const std::unordered_map<std::string, FilterFn> f = {
      {"join", filter_join},
      {"default", filter_default},
      {"d", filter_default},
      {"tojson", filter_tojson},
      {"length", filter_length},
      {"count", filter_length},
      {"first", [](Renderer& r, const Value& v, CallArgs& a) { return filter_first_last(r, v, a, true); }},
      {"last", [](Renderer& r, const Value& v, CallArgs& a) { return filter_first_last(r, v, a, false); }},
      {"int", filter_int},
      {"float", filter_float},
      {"items", filter_items},
      {"replace", filter_replace},
      {"map", filter_map},
      {"select", [](Renderer& r, const Value& v, CallArgs& a) { return select(r, v, a, false, true); }},
      {"reject", [](Renderer& r, const Value& v, CallArgs& a) { return select(r, v, a, false, false); }},
      {"selectattr", [](Renderer& r, const Value& v, CallArgs& a) { return select(r, v, a, true, true); }},
      {"rejectattr", [](Renderer& r, const Value& v, CallArgs& a) { return select(r, v, a, true, false); }},
      {"sort", filter_sort},
      {"dictsort", filter_dictsort},
      {"unique", filter_unique},
      {"reverse", filter_reverse},
      {"indent", filter_indent},
      {"round", filter_round},
      {"batch", filter_batch},
      {"sum", filter_sum},
      {"min", [](Renderer& r, const Value& v, CallArgs& a) { return min_max(r, v, a, false); }},
      {"max", [](Renderer& r, const Value& v, CallArgs& a) { return min_max(r, v, a, true); }},
      {"list",
       [](Renderer& r, const Value& v, CallArgs& a) {
         Params("list", a, {});
         return list_of(r, v);
       }},
      {"string", [](Renderer&, const Value& v, CallArgs& a) { return string_filter("string", a, text_of(v)); }},
      {"safe",
       [](Renderer&, const Value& v, CallArgs& a) {
         Params("safe", a, {});
         return v;
       }},
      {"trim",
       [](Renderer&, const Value& v, CallArgs& a) {
         Params p("trim", a, {"chars"});
         std::optional<std::string> chars;
         if (p.get(0) && !p.get(0)->is_none()) chars = text_of(*p.get(0));
         return Value(strip(text_of(v), StripSide::kBoth, chars));
       }},
      {"upper", [](Renderer&, const Value& v, CallArgs& a) { return string_filter("upper", a, upper(text_of(v))); }},
      {"lower", [](Renderer&, const Value& v, CallArgs& a) { return string_filter("lower", a, lower(text_of(v))); }},
      {"capitalize",
       [](Renderer&, const Value& v, CallArgs& a) { return string_filter("capitalize", a, capitalize(text_of(v))); }},
      {"title", [](Renderer&, const Value& v, CallArgs& a) { return string_filter("title", a, title(text_of(v))); }},
      {"escape",
       [](Renderer&, const Value& v, CallArgs& a) { return string_filter("escape", a, html_escape(text_of(v))); }},
      {"e", [](Renderer&, const Value& v, CallArgs& a) { return string_filter("e", a, html_escape(text_of(v))); }},
      {"wordcount",
       [](Renderer&, const Value& v, CallArgs& a) {
         Params("wordcount", a, {});
         return Value(word_count(text_of(v)));
       }},
      {"abs",
       [](Renderer&, const Value& v, CallArgs& a) {
         Params("abs", a, {});
         if (v.is<double>()) return Value(std::fabs(v.as<double>()));
         if (!v.is_int()) throw EvalError("bad operand type for abs(): '" + type_name(v) + "'");
         if (v.integer() == INT64_MIN) throw EvalError("integer overflow");
         return Value(v.integer() < 0 ? -v.integer() : v.integer());
       }},
  };
  return f;
}

}  // namespace

Value apply_filter(Renderer& r, const std::string& name, const Value& subject, CallArgs& args) {
  auto it = filters().find(name);
  if (it == filters().end()) throw EvalError("no filter named '" + name + "'");
  return it->second(r, subject, args);
}

}  // namespace lmc::jinja
