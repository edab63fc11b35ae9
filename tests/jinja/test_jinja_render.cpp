// The engine's rendering of the constructs chat templates use, each against the text
// Jinja2 renders for it (checked by hand against Jinja2 with trim_blocks and lstrip_blocks).
#include <gtest/gtest.h>

#include "jinja/template.h"

namespace lmc::jinja {
namespace {

std::string render(const std::string& source,
                   const nlohmann::ordered_json& context = nlohmann::ordered_json::object()) {
  return Template(source, "t.jinja").render(context);
}

TEST(JinjaRender, WhitespaceControlAndBlockTrimming) {
  EXPECT_EQ(render("  {% if true %}\n  x\n  {% endif %}\ny"), "  x\ny");
  EXPECT_EQ(render("a  {{- ' b ' -}}  c"), "a b c");
  EXPECT_EQ(render("a\n{#- c -#}\nb"), "ab");
  EXPECT_EQ(render("{% raw %}{{ x }}{% endraw %}"), "{{ x }}");
  EXPECT_EQ(render("a\n"), "a");
  EXPECT_EQ(render("a\r\nb"), "a\nb");
  EXPECT_EQ(render("  {%+ if true %}x{% endif %}"), "  x");
}

TEST(JinjaRender, ValuesPrintAsPython) {
  EXPECT_EQ(render("{{ [1, 'a', none, true, 1.0] }}{{ {'a': 1} }}"), "[1, 'a', None, True, 1.0]{'a': 1}");
  EXPECT_EQ(render("{{ 1e16 }} {{ 1e-5 }} {{ 10/2 }} {{ 7//2 }} {{ -7 % 3 }} {{ 'ab'[::-1] }}"),
            "1e+16 1e-05 5.0 3 2 ba");
  EXPECT_EQ(render("{{ {'x': 1}.items() | list }} {{ (1,) }} {{ (1, 2) == [1, 2] }} {{ 'é ✓ 漢字_1 —' | wordcount }}"),
            "[('x', 1)] (1,) False 2");
  EXPECT_EQ(render("{{ 2 ** 10 }} {{ 'x' * 3 }} {{ 1 ~ 2 }} {{ 'é!'[0] }} {{ 'héllo' | length }}"), "1024 xxx 12 é 5");
}

// llama.cpp's rule, not Python's: a string plus an undefined variable is the string.
TEST(JinjaRender, AStringPlusAnUndefinedVariableIsTheString) {
  EXPECT_EQ(render("{{ 'a\\n' + functions }}|{{ x + 'b' }}|{% set s = 'c' + x %}{{ s }}"), "a\n|b|c");
  EXPECT_ANY_THROW(render("{{ 1 + functions }}"));
  EXPECT_ANY_THROW(render("{{ none + 'b' }}"));  // None is Python's error still
}

TEST(JinjaRender, LoopsScopesAndNamespaces) {
  EXPECT_EQ(render("{% for i in range(3) %}{% if i == 1 %}{% set x = 5 %}{% endif %}[{{ x }}]{% endfor %}{{ x }}"),
            "[][5][]");
  EXPECT_EQ(
      render("{% set ns = namespace(n=0) %}{% for i in [1, 2, 3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}"),
      "6");
  EXPECT_EQ(
      render("{% for a in 'xyz' %}{{ loop.index }}{{ loop.first }}{{ loop.last }}{{ loop.revindex }},{% endfor %}"),
      "1TrueFalse3,2FalseFalse2,3FalseTrue1,");
  EXPECT_EQ(render("{% for x in [] %}a{% else %}empty{% endfor %}"), "empty");
  EXPECT_EQ(render("{% for x in [1, 2, 3, 4] if x is even %}{{ x }}{{ loop.length }}{% endfor %}"), "2242");
  EXPECT_EQ(render("{% for k, v in {'a': 1, 'b': 2}.items() %}{{ k }}={{ v }};{% endfor %}"), "a=1;b=2;");
  EXPECT_EQ(render("{% for x in [1, 2, 3] %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}{% endfor %}"), "13");
  EXPECT_EQ(render("{% for x in [1, 2, 3] %}{% if x == 2 %}{% break %}{% endif %}{{ x }}{% endfor %}"), "1");
  EXPECT_EQ(render("{% set a, b = [1, 2] %}{{ b }}{{ a }}"), "21");
  EXPECT_EQ(render("{% set t %}in {{ 1 + 1 }}{% endset %}[{{ t }}]"), "[in 2]");
}

TEST(JinjaRender, MacrosAndCallBlocks) {
  EXPECT_EQ(render("{% macro m(a, b=2) %}{{ a }}{{ b }}{{ y }}{% endmacro %}{% set y = 7 %}{{ m(1) }}{{ m(3, b=4) }}"),
            "127347");
  EXPECT_EQ(render("{% macro w() %}<{{ caller() }}>{% endmacro %}{% call w() %}in{% endcall %}"), "<in>");
}

// {% filter %}: the block's text through the filters (firefunction-v2's template trims one).
TEST(JinjaRender, FilterBlocks) {
  EXPECT_EQ(render("{% filter trim %}  a {{ 1 + 1 }}  {% endfilter %}|"), "a 2|");
  EXPECT_EQ(render("{% filter replace('a', 'b') | upper %}aXa{% endfilter %}"), "BXB");
  EXPECT_EQ(render("{% set s %}{%- filter trim -%}\n x \n{%- endfilter %}{% endset %}[{{ s }}]"), "[x]");
  EXPECT_EQ(render("{% filter upper %}a{% filter trim %} b {% endfilter %}c{% endfilter %}"), "ABC");
}

TEST(JinjaRender, FiltersTestsAndMethods) {
  const nlohmann::ordered_json ctx = {
      {"msgs", {{{"role", "user"}, {"content", " hi "}}, {{"role", "assistant"}, {"content", "yo"}}}}};
  EXPECT_EQ(render("{{ msgs | selectattr('role', 'equalto', 'user') | map(attribute='content') | join('|') }}", ctx),
            " hi ");
  EXPECT_EQ(render("{{ msgs[0].content | trim | upper }}{{ msgs[0]['content'].strip() }}", ctx), "HIhi");
  EXPECT_EQ(render("{{ msgs | length }}{{ msgs[5] is defined }}{{ msgs[-1].role }}", ctx), "2Falseassistant");
  EXPECT_EQ(render("{{ {'b': [1, 2.5], 'a': 'é\"'} | tojson }}"), "{\"b\": [1, 2.5], \"a\": \"é\\\"\"}");
  EXPECT_EQ(render("{{ {'b': 1} | tojson(indent=2) }}"), "{\n  \"b\": 1\n}");
  EXPECT_EQ(render("{{ {'b': [1, 'é😀']} | tojson(ensure_ascii=true, separators=(',', ':'), sort_keys=true) }}"),
            "{\"b\":[1,\"\\u00e9\\ud83d\\ude00\"]}");
  EXPECT_EQ(render("{{ 'a,b,,c'.split(',') }}{{ 'x y'.startswith(('y', 'x')) }}{{ 'Hi'.replace('i', 'o') }}"),
            "['a', 'b', '', 'c']TrueHo");
  EXPECT_EQ(render("{{ undefined_name | default('d') }}{{ none | default('e', true) }}{{ [3, 1, 2] | sort | list }}"),
            "de[1, 2, 3]");
  EXPECT_EQ(render("{{ 'x' if false }}|{{ 'a' if 1 > 2 else 'b' }}|{{ 3 is divisibleby 3 }}|{{ 'a' in 'cat' }}"),
            "|b|True|True");
  EXPECT_EQ(render("{{ {'a': 1}.get('b', 'z') }}{{ [1, 2] | first }}{{ 'ab' | reverse }}{{ 2.5 | round }}"), "z1ba3.0");
}

}  // namespace
}  // namespace lmc::jinja
