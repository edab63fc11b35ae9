// Python's semantics for the values of value.h: truthiness, str() and repr(), ==, and
// the float spelling Python prints (shortest round trip, exponent outside [1e-4, 1e16)).
#include "jinja/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace lmc::jinja {

namespace {

// Keys equal under Python's == hash alike: True, 1 and 1.0 are one key.
std::string key_of(const Value& k) {
  if (k.is_int()) return "n" + std::to_string(k.integer());
  if (k.is<double>()) {
    double d = k.as<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18)
      return "n" + std::to_string(static_cast<int64_t>(d));
    return "f" + float_repr(d);
  }
  if (k.is_string()) return "s" + k.str();
  if (k.is_none() || k.is<bool>()) return "r" + repr(k);
  throw EvalError("unhashable type: '" + type_name(k) + "'");
}

std::string quote(const std::string& s) {
  const bool has_single = s.find('\'') != std::string::npos;
  const char q = has_single && s.find('"') == std::string::npos ? '"' : '\'';
  std::string out(1, q);
  for (unsigned char c : s) {
    if (c == '\\' || c == static_cast<unsigned char>(q)) {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + q;
}

}  // namespace

const Value* Dict::find(const Value& key) const {
  auto it = index_.find(key_of(key));
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

void Dict::set(const Value& key, Value value) {
  auto [it, fresh] = index_.emplace(key_of(key), entries_.size());
  if (fresh)
    entries_.emplace_back(key, std::move(value));
  else
    entries_[it->second].second = std::move(value);
}

void Dict::clear() {
  // Moved out first: destroying an entry may free a dict whose entries point back here.
  auto doomed = std::move(entries_);
  entries_.clear();
  index_.clear();
}

Value make_dict() { return Value(std::make_shared<Dict>()); }

Value make_pair(Value first, Value second) {
  List pair{std::move(first), std::move(second)};
  pair.tuple = true;
  return Value(std::move(pair));
}

std::string type_name(const Value& v) {
  static const char* names[] = {"Undefined", "NoneType", "bool", "int", "float", "str", "list", "dict", "function"};
  if (v.is<DictPtr>() && v.dict().is_namespace) return "Namespace";
  return names[v.variant().index()];
}

bool truthy(const Value& v) {
  struct {
    bool operator()(const Undefined&) const { return false; }
    bool operator()(const None&) const { return false; }
    bool operator()(bool b) const { return b; }
    bool operator()(int64_t i) const { return i != 0; }
    bool operator()(double d) const { return d != 0.0; }
    bool operator()(const std::string& s) const { return !s.empty(); }
    bool operator()(const ListPtr& l) const { return !l->empty(); }
    bool operator()(const DictPtr& d) const { return d->size() != 0; }
    bool operator()(const CallablePtr&) const { return true; }
  } visit;
  return std::visit(visit, v.variant());
}

std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
  std::string sci(buf, end);  // "-d.ddde+XX": the shortest digits that round-trip
  const size_t e = sci.find('e');
  const int exp = std::stoi(sci.substr(e + 1));
  const bool negative = sci[0] == '-';
  std::string digits;
  for (size_t i = negative ? 1 : 0; i < e; ++i)
    if (sci[i] != '.') digits += sci[i];
  std::string out = negative ? "-" : "";
  if (exp < -4 || exp >= 16) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char ebuf[16];
    std::snprintf(ebuf, sizeof ebuf, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    return out + ebuf;
  }
  if (exp < 0) return out + "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
  const size_t whole = static_cast<size_t>(exp) + 1;
  if (digits.size() <= whole) return out + digits + std::string(whole - digits.size(), '0') + ".0";
  return out + digits.substr(0, whole) + "." + digits.substr(whole);
}

bool less(const Value& a, const Value& b, int depth) {
  check_nesting(depth);
  if (a.is_number() && b.is_number()) {
    if (a.is<double>() || b.is<double>()) return a.number() < b.number();
    return a.integer() < b.integer();
  }
  if (a.is_string() && b.is_string()) return a.str() < b.str();  // UTF-8 bytes order as code points do
  if (a.is<ListPtr>() && b.is<ListPtr>()) {
    const List &x = a.list(), &y = b.list();
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (!equal(x[i], y[i], depth + 1)) return less(x[i], y[i], depth + 1);
    }
    return x.size() < y.size();
  }
  throw EvalError("'<' not supported between instances of '" + type_name(a) + "' and '" + type_name(b) + "'");
}

std::string to_str(const Value& v) {
  if (v.is_undefined()) return "";
  if (v.is_string()) return v.str();
  return repr(v);
}

void check_nesting(int depth) {
  if (depth > kMaxNesting) throw EvalError("values nested deeper than " + std::to_string(kMaxNesting));
}

const std::string& check_text(const std::string& text) {
  if (text.size() > kMaxTextBytes) throw EvalError("a text grew past " + std::to_string(kMaxTextBytes) + " bytes");
  return text;
}

std::string repr(const Value& v, int depth) {
  check_nesting(depth);
  struct {
    int depth;
    std::string operator()(const Undefined&) const { return ""; }
    std::string operator()(const None&) const { return "None"; }
    std::string operator()(bool b) const { return b ? "True" : "False"; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return float_repr(d); }
    std::string operator()(const std::string& s) const { return quote(s); }
    std::string operator()(const ListPtr& l) const {
      std::string out = l->tuple ? "(" : "[";
      for (size_t i = 0; i < l->size(); ++i) check_text(out += (i ? ", " : "") + repr((*l)[i], depth + 1));
      if (!l->tuple) return out + "]";
      return out + (l->size() == 1 ? ",)" : ")");
    }
    std::string operator()(const DictPtr& d) const {
      std::string out = d->is_namespace ? "<Namespace {" : "{";
      bool first = true;
      for (const auto& [k, val] : d->entries()) {
        check_text(out += (first ? "" : ", ") + repr(k, depth + 1) + ": " + repr(val, depth + 1));
        first = false;
      }
      return out + (d->is_namespace ? "}>" : "}");
    }
    std::string operator()(const CallablePtr& c) const { return "<function " + c->name + ">"; }
  } visit{depth};
  return std::visit(visit, v.variant());
}

bool equal(const Value& a, const Value& b, int depth) {
  check_nesting(depth);
  if (a.is_number() && b.is_number()) {
    if (a.is<double>() || b.is<double>()) return a.number() == b.number();
    return a.integer() == b.integer();
  }
  if (a.variant().index() != b.variant().index()) return false;
  if (a.is_undefined() || a.is_none()) return true;
  if (a.is_string()) return a.str() == b.str();
  if (a.is<ListPtr>()) {
    const List &x = a.list(), &y = b.list();
    if (x.size() != y.size() || x.tuple != y.tuple) return false;
    for (size_t i = 0; i < x.size(); ++i)
      if (!equal(x[i], y[i], depth + 1)) return false;
    return true;
  }
  if (a.is<DictPtr>()) {
    if (a.dict().size() != b.dict().size()) return false;
    for (const auto& [k, val] : a.dict().entries()) {
      const Value* other = b.dict().find(k);
      if (!other || !equal(val, *other, depth + 1)) return false;
    }
    return true;
  }
  return a.as<CallablePtr>() == b.as<CallablePtr>();
}

}  // namespace lmc::jinja
