// The walk of static_facts.h: statements bind names in scopes as the renderer binds them,
// expressions read them.
#include "jinja/static_facts.h"

#include <optional>

namespace lmc::jinja {

namespace {

struct Scope {
  const Scope* parent = nullptr;
  std::set<std::string> names;
  bool binds(const std::string& name) const { return names.contains(name) || (parent && parent->binds(name)); }
};

class Walker {
 public:
  StaticFacts run(const Body& body, const std::set<std::string>& predefined) {
    const Scope globals{nullptr, predefined};
    Scope top{&globals, {}};
    walk(body, top);
    for (size_t i = 0; i < macros_.size(); ++i) {  // by index: a macro may define macros of its own
      Scope args{&top, {"caller"}};
      walk_callable(*macros_[i], args);
    }
    return std::move(facts_);
  }

 private:
  void walk(const Body& body, Scope& scope) {
    for (const auto& s : body) walk(*s, scope);
  }

  void walk(const Stmt& s, Scope& scope) {
    switch (s.kind) {
      case StmtKind::kText:
        facts_.literals.push_back(s.text);
        break;
      case StmtKind::kOutput:
        read(*s.expr, scope);
        break;
      case StmtKind::kIf:
        walk_if(s, scope);
        break;
      case StmtKind::kFor:
        walk_for(s, scope);
        break;
      case StmtKind::kSet:
        walk_set(s, scope);
        break;
      case StmtKind::kSetBlock:
        walk(s.body, scope);
        scope.names.insert(s.targets[0]);
        break;
      case StmtKind::kMacro:
        scope.names.insert(s.text);
        macros_.push_back(&s);
        break;
      case StmtKind::kCallBlock: {
        read(*s.expr, scope);
        Scope caller{&scope, {}};  // the body sees the names around it
        walk_callable(s, caller);
        break;
      }
      case StmtKind::kBlock:
        walk(s.body, scope);
        break;
      case StmtKind::kBreak:
      case StmtKind::kContinue:
        break;
    }
  }

  // Each branch sets in the enclosing scope, but a name is bound after the if only when
  // every branch (the else, empty or not, among them) sets it: else it may still come from
  // the context, as a template's `{% if x is not defined %}{% set x = ... %}` expects.
  void walk_if(const Stmt& s, Scope& scope) {
    std::optional<std::set<std::string>> in_every_branch;
    const auto branch = [&](const Body& body) {
      Scope inside = scope;
      walk(body, inside);
      if (!in_every_branch)
        in_every_branch = std::move(inside.names);
      else
        std::erase_if(*in_every_branch, [&](const std::string& name) { return !inside.names.contains(name); });
    };
    for (const auto& [condition, body] : s.branches) {
      read(*condition, scope);
      branch(body);
    }
    branch(s.else_body);
    scope.names = std::move(*in_every_branch);
  }

  void walk_for(const Stmt& s, Scope& scope) {
    read(*s.expr, scope);
    Scope loop{&scope, std::set<std::string>(s.targets.begin(), s.targets.end())};
    if (s.condition) read(*s.condition, loop);  // the loop filter sees the targets, not `loop`
    loop.names.insert("loop");
    walk(s.body, loop);
    walk(s.else_body, scope);  // run when nothing was iterated: no targets
  }

  void walk_set(const Stmt& s, Scope& scope) {
    read(*s.expr, scope);
    if (s.attribute.empty())
      scope.names.insert(s.targets.begin(), s.targets.end());
    else
      read_name(s.targets[0], scope);  // a namespace's attribute: the namespace is read
  }

  // A macro's or a call block's body, each parameter's default seeing the ones before it.
  void walk_callable(const Stmt& s, Scope& scope) {
    for (const auto& [name, default_value] : s.params) {
      if (default_value) read(*default_value, scope);
      scope.names.insert(name);
    }
    walk(s.body, scope);
  }

  void read(const Expr& e, const Scope& scope) {
    if (e.kind == ExprKind::kName) read_name(e.name, scope);
    if (e.kind == ExprKind::kLiteral && e.value.is_string()) facts_.literals.push_back(e.value.str());
    read_attribute(e);
    for (const ExprPtr& item : e.items)
      if (item) read(*item, scope);
    for (const auto& [keyword, value] : e.keywords)
      if (value) read(*value, scope);
  }

  // `x['name']` reads what `x.name` does; a key computed when rendering is not known here.
  void read_attribute(const Expr& e) {
    if (e.kind == ExprKind::kAttribute) facts_.attributes.insert(e.name);
    const auto literal_key = [&] { return e.items[1]->kind == ExprKind::kLiteral && e.items[1]->value.is_string(); };
    if (e.kind == ExprKind::kItem && literal_key()) facts_.attributes.insert(e.items[1]->value.str());
  }

  void read_name(const std::string& name, const Scope& scope) {
    if (!scope.binds(name)) facts_.free_names.insert(name);
  }

  StaticFacts facts_;
  std::vector<const Stmt*> macros_;
};

}  // namespace

StaticFacts static_facts(const Body& body, const std::set<std::string>& predefined) {
  return Walker().run(body, predefined);
}

}  // namespace lmc::jinja
