// What a parsed template reports without rendering (jinja/static_facts.h): the names it
// reads and does not set itself, the attributes it reads, and its raw text and string literals.
#include <gtest/gtest.h>

#include "jinja/template.h"

namespace lmc::jinja {
namespace {

std::set<std::string> names(const std::string& source) { return Template(source, "t.jinja").referenced_names(); }

using Names = std::set<std::string>;

TEST(JinjaStaticFacts, NamesTheTemplateBindsAreNotReported) {
  EXPECT_EQ(names("{% for m in messages %}{{ m.content }}{{ loop.index }}{% endfor %}"), Names{"messages"});
  EXPECT_EQ(names("{% set x = 1 %}{{ x }}"), Names{});
  EXPECT_EQ(names("{% macro show(item, sep=', ') %}{{ item }}{{ sep }}{{ caller }}{% endmacro %}{{ show(a) }}"),
            Names{"a"});
  EXPECT_EQ(names("{% set ns = namespace(seen=false) %}{% set ns.seen = true %}{{ ns.seen }}"), Names{});
  EXPECT_EQ(names("{% set body %}{{ y }}{% endset %}{{ body }}"), Names{"y"});
  EXPECT_EQ(names("{% for k, v in pairs if v %}{{ k }}{% endfor %}"), Names{"pairs"});
}

TEST(JinjaStaticFacts, GlobalsAreNotReported) {
  EXPECT_EQ(names("{{ range(3) }}{{ dict(a=1) }}{{ strftime_now('%Y') }}{{ raise_exception('no') }}"), Names{});
}

TEST(JinjaStaticFacts, NamesReadAnywhereAreReported) {
  EXPECT_EQ(names("{% if tools %}yes{% endif %}"), Names{"tools"});
  EXPECT_EQ(names("{{ (tools | length) > 0 and not (x is defined) }}"), (Names{"tools", "x"}));
  EXPECT_EQ(names("{{ tools[0].function.name }}"), Names{"tools"});
  EXPECT_EQ(names("{{ f(key=tools) }}"), (Names{"f", "tools"}));
  EXPECT_EQ(names("{% for t in tools %}{{ t }}{% else %}{{ t }}{% endfor %}"), (Names{"t", "tools"}));
}

TEST(JinjaStaticFacts, ScopesAreTheRenderers) {
  // A loop's names end with it; an if's body is its enclosing scope, which a set binds in
  // only when every branch sets the name.
  EXPECT_EQ(names("{% for i in l %}{% set x = i %}{% endfor %}{{ x }}{{ i }}"), (Names{"i", "l", "x"}));
  EXPECT_EQ(
      names("{% if c %}{% set x = 1 %}{{ x }}{% elif d %}{% set x = 2 %}{% else %}{% set x = 3 %}{% endif %}{{ x }}"),
      (Names{"c", "d"}));
  EXPECT_EQ(names("{% if c %}{% set x = 1 %}{% endif %}{{ x }}"), (Names{"c", "x"}));
  EXPECT_EQ(names("{% if custom %}{% set tools = custom %}{% endif %}{% if tools is not defined %}{% endif %}"),
            (Names{"custom", "tools"}));
  // Read before it is set, the name comes from the context.
  EXPECT_EQ(names("{% if tools is not defined %}{% set tools = none %}{% endif %}"), Names{"tools"});
  // A macro's body reads the top level when called, not the loop it is defined in.
  EXPECT_EQ(names("{% macro m() %}{{ late }}{{ i }}{% endmacro %}{% set late = 1 %}{% for i in l %}{% endfor %}"),
            (Names{"i", "l"}));
  EXPECT_EQ(names("{% for i in l %}{% call m() %}{{ i }}{% endcall %}{% endfor %}"), (Names{"l", "m"}));
}

std::set<std::string> attributes(const std::string& source) { return Template(source, "t.jinja").read_attributes(); }

TEST(JinjaStaticFacts, AttributesReadAnywhereAreReported) {
  EXPECT_EQ(attributes("{{ message.tool_calls }}"), Names{"tool_calls"});
  EXPECT_EQ(attributes("{{ message['tool_calls'] }}"), Names{"tool_calls"});
  EXPECT_EQ(attributes("{% for m in messages %}{% if m.role == 'a' %}{{ m['c'][0].function.name }}{% endif %}"
                       "{% endfor %}"),
            (Names{"c", "function", "name", "role"}));
  EXPECT_EQ(attributes("{% macro f(x) %}{{ x.inside }}{% endmacro %}{% set y = z | map(attribute='a') %}"
                       "{{ f(w.arg) if v.cond }}"),
            (Names{"arg", "cond", "inside"}));
  EXPECT_EQ(attributes("{{ message.get('tool_calls') }}"), Names{"get"});
}

TEST(JinjaStaticFacts, OnlyAttributesReadAreReported) {
  // A computed key, an index, a name tested for, an attribute set, a comment: none reads
  // a named attribute.
  EXPECT_EQ(attributes("{{ m[key] }}{{ m[0] }}{{ m.1 }}{{ 'tool_calls' in m }}{# m.tool_calls #}"), Names{});
  EXPECT_EQ(attributes("{% set ns = namespace(seen=false) %}{% set ns.seen = true %}"), Names{});
}

TEST(JinjaStaticFacts, LiteralsAreTheRawTextAndStringLiterals) {
  const Template t("Hello {{ name ~ '<tool_call>' }}{% if x == \"[TOOL_CALLS]\" %}!{% endif %}{# <|python_tag|> #}",
                   "t.jinja");
  EXPECT_EQ(t.literals(), (std::vector<std::string>{"Hello ", "<tool_call>", "[TOOL_CALLS]", "!"}));
}

}  // namespace
}  // namespace lmc::jinja
