// What a parsed template tells without being rendered, found in one walk of its AST: the
// names it reads that it does not set itself (its free names: the context keys it can
// use), the attributes it reads of any value, and the text it holds as written (its raw
// text and string literals). lmc serve asks these of a chat template (does it render
// `tools`, does it read a message's `tool_calls`, which family's tool-call markers does it
// write) rather than searching the source, where a comment or a longer name
// (`tools_in_user_message`) matches as well.
#pragma once
#include <set>
#include <string>
#include <vector>

#include "jinja/ast.h"

namespace lmc::jinja {

struct StaticFacts {
  // The names read where the template may not have bound them, sorted: they may come from
  // the context. Scopes are the renderer's: a set binds in the scope it is in (an if's
  // body is its enclosing scope's, but binds there only if every branch does); a for binds
  // its targets and `loop` in a scope of its own; a macro binds its parameters and `caller`
  // over the template's top level (which its body reads when called, so the body is walked
  // after the top level). A name read before the template sets it is free.
  std::set<std::string> free_names;
  // The attribute names read anywhere, of whatever value, sorted: `m.tool_calls` and
  // `m['tool_calls']` read "tool_calls" (a subscript only when the key is a string
  // literal; a method called, `m.get(...)`, is read as "get").
  std::set<std::string> attributes;
  // Every raw text and string literal: where a template's literal markers are.
  std::vector<std::string> literals;
};

// `predefined`: the names bound around the template (the globals).
StaticFacts static_facts(const Body& body, const std::set<std::string>& predefined);

}  // namespace lmc::jinja
