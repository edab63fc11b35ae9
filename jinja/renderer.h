// The evaluator of a parsed template: statements write to the output, expressions give
// values, in frames scoped as Jinja2 scopes them (a loop's body is a new frame each
// iteration, an if's is not, a macro's sees the template's top level). Builtins
// (filters.h, tests.h, methods.h, globals.h) call back into it for attributes, items,
// filters and tests by name, and for the limits. Statements are run in renderer.cpp,
// expressions evaluated in renderer_expressions.cpp.
#pragma once
#include <string>
#include <unordered_map>

#include "jinja/ast.h"
#include "jinja/template.h"
#include "jinja/value.h"

namespace lmc::jinja {

struct Frame {
  Frame* parent = nullptr;
  std::unordered_map<std::string, Value> vars;
  Value lookup(const std::string& name) const;
};

class Renderer {
 public:
  explicit Renderer(const Limits& limits) : limits_(limits) {}
  // Empties the namespaces made during the render: one may hold itself, and a cycle of
  // shared pointers would never be freed.
  ~Renderer();
  Renderer(const Renderer&) = delete;
  Renderer& operator=(const Renderer&) = delete;

  // Runs the body in `root`; errors are EvalError (the caller adds name and line()).
  std::string render(const Body& body, Frame& root);
  int line() const { return line_; }

  Value attribute(const Value& obj, const std::string& name);
  Value item(const Value& obj, const Value& key);
  Value filter(const std::string& name, const Value& subject, CallArgs& args);
  bool test(const std::string& name, const Value& subject, CallArgs& args);
  Value call(const Value& callee, CallArgs& args);
  // The elements a for loop walks: a list's, a dict's keys, a string's characters.
  List iterate(const Value& v);
  void count_iterations(uint64_t n);
  const Value& checked(const Value& v) const;
  const Limits& limits() const { return limits_; }
  void track_namespace(DictPtr ns) { namespaces_.push_back(std::move(ns)); }

 private:
  enum class Flow { kNormal, kBreak, kContinue };
  Flow exec(const Body& body, Frame& frame, std::string& out);
  Flow exec(const Stmt& s, Frame& frame, std::string& out);
  void exec_for(const Stmt& s, Frame& frame, std::string& out);
  void exec_set(const Stmt& s, Frame& frame);
  Value define_macro(const Stmt& s, const Body* caller_body, Frame& frame);
  Value call_macro(const Stmt& s, CallArgs& args);
  void write(std::string& out, const std::string& text);

  Value eval(const Expr& e, Frame& f);
  Value eval_node(const Expr& e, Frame& f);
  Value eval_binary(const Expr& e, Frame& f);
  Value eval_compare(const Expr& e, Frame& f);
  CallArgs eval_args(const Expr& e, Frame& f, size_t first);
  Value slice(const Value& obj, const Expr& e, Frame& f);

  const Limits& limits_;
  Frame* root_ = nullptr;
  int line_ = 0;
  uint64_t iterations_ = 0;
  uint64_t work_ = 0;
  int call_depth_ = 0;
  std::vector<DictPtr> namespaces_;
};

// Binds a builtin's arguments to its parameter names: positional first, then keywords by
// name; an argument it has no parameter for is an error naming the builtin.
class Params {
 public:
  Params(const std::string& builtin, CallArgs& args, std::initializer_list<const char*> names);
  const Value* get(size_t i) const { return bound_[i]; }
  Value get_or(size_t i, Value fallback) const { return bound_[i] ? *bound_[i] : std::move(fallback); }
  // The argument as an int (bool counts, as in Python); `fallback` when not given.
  int64_t int_or(size_t i, int64_t fallback) const;
  std::string builtin;

 private:
  std::vector<const Value*> bound_;
};

}  // namespace lmc::jinja
