// The tests of tests.h, as jinja2/tests.py defines them.
#include "jinja/tests.h"

#include <unordered_map>

#include "jinja/python_text.h"
#include "jinja/renderer.h"

namespace lmc::jinja {

namespace {

using TestFn = bool (*)(const Value& v, const Params& p);

const Value& operand(const Params& p) {
  if (!p.get(0)) throw EvalError("test '" + p.builtin + "' takes an argument");
  return *p.get(0);
}

bool integer_parity(const Value& v, int64_t parity, const char* name) {
  if (!v.is_int()) throw EvalError(std::string("test '") + name + "' needs an integer, not " + type_name(v));
  return ((v.integer() % 2) + 2) % 2 == parity;
}

struct TestDef {
  size_t arity;
  TestFn fn;
};

bool text_case(const Value& v, bool want_lower) {
  if (!v.is_string()) throw EvalError("test '" + std::string(want_lower ? "lower" : "upper") + "' needs a string");
  return v.str() == (want_lower ? lower(v.str()) : upper(v.str()));
}

const std::unordered_map<std::string, TestDef>& tests() {
  static const std::unordered_map<std::string, TestDef> t = {
      {"defined", {0, [](const Value& v, const Params&) { return !v.is_undefined(); }}},
      {"undefined", {0, [](const Value& v, const Params&) { return v.is_undefined(); }}},
      {"none", {0, [](const Value& v, const Params&) { return v.is_none(); }}},
      {"string", {0, [](const Value& v, const Params&) { return v.is_string(); }}},
      {"number", {0, [](const Value& v, const Params&) { return v.is_number(); }}},
      {"integer", {0, [](const Value& v, const Params&) { return v.is<int64_t>(); }}},
      {"float", {0, [](const Value& v, const Params&) { return v.is<double>(); }}},
      {"boolean", {0, [](const Value& v, const Params&) { return v.is<bool>(); }}},
      {"true", {0, [](const Value& v, const Params&) { return v.is<bool>() && v.as<bool>(); }}},
      {"false", {0, [](const Value& v, const Params&) { return v.is<bool>() && !v.as<bool>(); }}},
      {"mapping", {0, [](const Value& v, const Params&) { return v.is<DictPtr>() && !v.dict().is_namespace; }}},
      {"iterable",
       {0,
        [](const Value& v, const Params&) {
          return v.is_undefined() || v.is_string() || v.is<ListPtr>() || (v.is<DictPtr>() && !v.dict().is_namespace);
        }}},
      {"sequence",
       {0,
        [](const Value& v, const Params&) {
          return v.is_string() || v.is<ListPtr>() || (v.is<DictPtr>() && !v.dict().is_namespace);
        }}},
      {"callable", {0, [](const Value& v, const Params&) { return v.is<CallablePtr>(); }}},
      {"odd", {0, [](const Value& v, const Params&) { return integer_parity(v, 1, "odd"); }}},
      {"even", {0, [](const Value& v, const Params&) { return integer_parity(v, 0, "even"); }}},
      {"lower", {0, [](const Value& v, const Params&) { return text_case(v, true); }}},
      {"upper", {0, [](const Value& v, const Params&) { return text_case(v, false); }}},
      {"divisibleby",
       {1,
        [](const Value& v, const Params& p) {
          const Value& d = operand(p);
          if (!v.is_int() || !d.is_int()) throw EvalError("test 'divisibleby' needs integers");
          if (d.integer() == 0) throw EvalError("integer division or modulo by zero");
          return d.integer() == -1 || v.integer() % d.integer() == 0;
        }}},
      {"equalto", {1, [](const Value& v, const Params& p) { return equal(v, operand(p)); }}},
      {"eq", {1, [](const Value& v, const Params& p) { return equal(v, operand(p)); }}},
      {"==", {1, [](const Value& v, const Params& p) { return equal(v, operand(p)); }}},
      {"ne", {1, [](const Value& v, const Params& p) { return !equal(v, operand(p)); }}},
      {"!=", {1, [](const Value& v, const Params& p) { return !equal(v, operand(p)); }}},
      {"lt", {1, [](const Value& v, const Params& p) { return less(v, operand(p)); }}},
      {"<", {1, [](const Value& v, const Params& p) { return less(v, operand(p)); }}},
      {"gt", {1, [](const Value& v, const Params& p) { return less(operand(p), v); }}},
      {">", {1, [](const Value& v, const Params& p) { return less(operand(p), v); }}},
      {"le", {1, [](const Value& v, const Params& p) { return !less(operand(p), v); }}},
      {"<=", {1, [](const Value& v, const Params& p) { return !less(operand(p), v); }}},
      {"ge", {1, [](const Value& v, const Params& p) { return !less(v, operand(p)); }}},
      {">=", {1, [](const Value& v, const Params& p) { return !less(v, operand(p)); }}},
      {"sameas",
       {1,
        [](const Value& v, const Params& p) {
          const Value& o = operand(p);
          if (v.variant().index() != o.variant().index()) return false;
          if (v.is<ListPtr>()) return v.as<ListPtr>() == o.as<ListPtr>();
          if (v.is<DictPtr>()) return v.as<DictPtr>() == o.as<DictPtr>();
          return equal(v, o);
        }}},
      {"in",
       {1,
        [](const Value& v, const Params& p) {
          const Value& c = operand(p);
          if (c.is_string()) return v.is_string() && c.str().find(v.str()) != std::string::npos;
          if (c.is<DictPtr>()) return c.dict().find(v) != nullptr;
          if (c.is<ListPtr>()) {
            for (const Value& x : c.list())
              if (equal(x, v)) return true;
            return false;
          }
          throw EvalError("test 'in' needs a container, not " + type_name(c));
        }}},
  };
  return t;
}

}  // namespace

bool apply_test(Renderer&, const std::string& name, const Value& subject, CallArgs& args) {
  auto it = tests().find(name);
  if (it == tests().end()) throw EvalError("no test named '" + name + "'");
  return it->second.fn(subject, it->second.arity ? Params(name, args, {"value"}) : Params(name, args, {}));
}

}  // namespace lmc::jinja
