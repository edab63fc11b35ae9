// The values a template computes with, shaped as Python's (Jinja runs on Python, and a
// chat template's output must be byte-identical to what Jinja2 renders): undefined,
// none, bool, int, float, str, list, dict (in insertion order) and callables (macros,
// bound methods, globals). Lists and dicts are shared by reference as in Python, so a
// namespace's attribute set is seen by every name bound to it.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace lmc::jinja {

class Value;
class Renderer;

// What evaluation throws; the renderer adds the template's name and the line it was at.
class EvalError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// How deep repr, ==, tojson and dict keys follow nested values: a namespace may be set to
// hold itself, and Python would print "..." or refuse where lmc refuses.
constexpr int kMaxNesting = 100;
// The longest text a value's repr, tojson or join may make before evaluation refuses.
constexpr size_t kMaxTextBytes = size_t{64} << 20;

// Jinja2's default Undefined: prints empty, is falsy, iterates as empty; using it further
// (an attribute, a call, arithmetic) is an error that quotes `hint`.
struct Undefined {
  std::string hint;  // "'x' is undefined" or "'dict object' has no attribute 'x'"
};
struct None {};

// A Python list, or a tuple (items() pairs, "(a, b)" literals): they print differently
// and are never equal.
struct List : std::vector<Value> {
  using std::vector<Value>::vector;
  bool tuple = false;
};
using ListPtr = std::shared_ptr<List>;

class Dict;
using DictPtr = std::shared_ptr<Dict>;

struct CallArgs;

struct Callable {
  std::string name;
  std::function<Value(Renderer&, CallArgs&)> call;
};
using CallablePtr = std::shared_ptr<const Callable>;

class Value {
 public:
  using Variant = std::variant<Undefined, None, bool, int64_t, double, std::string, ListPtr, DictPtr, CallablePtr>;
  Value() : v_(Undefined{}) {}
  Value(Variant v) : v_(std::move(v)) {}
  Value(None) : v_(None{}) {}
  Value(bool b) : v_(b) {}
  Value(int64_t i) : v_(i) {}
  Value(int i) : v_(int64_t{i}) {}
  Value(double d) : v_(d) {}
  Value(std::string s) : v_(std::move(s)) {}
  Value(const char* s) : v_(std::string(s)) {}
  Value(List l) : v_(std::make_shared<List>(std::move(l))) {}
  Value(DictPtr d) : v_(std::move(d)) {}
  Value(CallablePtr c) : v_(std::move(c)) {}
  static Value undefined(std::string hint) { return Value(Variant(Undefined{std::move(hint)})); }

  template <class T>
  bool is() const {
    return std::holds_alternative<T>(v_);
  }
  template <class T>
  const T& as() const {
    return std::get<T>(v_);
  }
  bool is_undefined() const { return is<Undefined>(); }
  bool is_none() const { return is<None>(); }
  bool is_string() const { return is<std::string>(); }
  bool is_int() const { return is<int64_t>() || is<bool>(); }  // Python's bool is an int
  bool is_number() const { return is_int() || is<double>(); }
  const std::string& str() const { return as<std::string>(); }
  const List& list() const { return *as<ListPtr>(); }
  const Dict& dict() const { return *as<DictPtr>(); }
  int64_t integer() const { return is<bool>() ? int64_t{as<bool>()} : as<int64_t>(); }
  double number() const { return is<double>() ? as<double>() : static_cast<double>(integer()); }
  const Variant& variant() const { return v_; }

 private:
  Variant v_;
};

// A dict in insertion order with hashed lookup; `is_namespace` marks namespace(...), whose
// attributes {% set ns.x = ... %} may assign.
class Dict {
 public:
  const Value* find(const Value& key) const;
  void set(const Value& key, Value value);
  const std::vector<std::pair<Value, Value>>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  void clear();
  bool is_namespace = false;

 private:
  std::vector<std::pair<Value, Value>> entries_;
  std::unordered_map<std::string, size_t> index_;
};

// Arguments of a call: positional, then keyword in the order written.
struct CallArgs {
  std::vector<Value> positional;
  std::vector<std::pair<std::string, Value>> keyword;
};

Value make_dict();
Value make_pair(Value first, Value second);  // the tuple (first, second)
// Python's type name ("str", "dict", ...), as error messages and Jinja2's hints spell it.
std::string type_name(const Value& v);
bool truthy(const Value& v);
// str(v) and repr(v) as Python prints them; undefined prints as "".
std::string to_str(const Value& v);
std::string repr(const Value& v, int depth = 0);
std::string float_repr(double d);
bool equal(const Value& a, const Value& b, int depth = 0);
// a < b as Python orders numbers, strings and lists; other pairs are an error.
bool less(const Value& a, const Value& b, int depth = 0);
// Throws when text is longer than kMaxTextBytes; returns it.
const std::string& check_text(const std::string& text);
// Throws when depth passes kMaxNesting.
void check_nesting(int depth);

}  // namespace lmc::jinja
