// Every template error is one lmc::Error naming the template and the line, and what is
// wrong by name (an unknown filter, test, method or tag); limits stop runaway templates.
#include <gtest/gtest.h>

#include "jinja/template.h"
#include "support/error.h"

namespace lmc::jinja {
namespace {

std::string error_of(const std::string& source, const Limits& limits = {}) {
  try {
    Template(source, "t.jinja").render(nlohmann::ordered_json{{"messages", nlohmann::ordered_json::array()}}, limits);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

TEST(JinjaErrors, ParseErrorsNameTheirLine) {
  EXPECT_EQ(error_of("a\n{% frobnicate %}"), "t.jinja:2: error: unknown tag 'frobnicate'");
  EXPECT_EQ(error_of("a\nb\n{% if x %}"),
            "t.jinja:3: error: unexpected end of template, looking for 'elif' or 'else' or 'endif'");
  EXPECT_EQ(error_of("{{ 'open"), "t.jinja:1: error: unterminated string literal");
  EXPECT_EQ(error_of("\n\n{# never closed"), "t.jinja:3: error: missing end of comment tag");
  EXPECT_EQ(error_of("{{ x\n"), "t.jinja:1: error: unexpected end of template, expected '}}'");
  EXPECT_EQ(error_of("\n{{ 1 + }}"), "t.jinja:2: error: unexpected '}}'");
  EXPECT_EQ(error_of("{{ a ) }}"), "t.jinja:1: error: unexpected ')'");
  EXPECT_EQ(error_of("{{ $ }}"), "t.jinja:1: error: unexpected char '$'");
  EXPECT_EQ(error_of("{% break %}"), "t.jinja:1: error: 'break' outside a for loop");
  EXPECT_EQ(error_of("{{ 99999999999999999999 }}"),
            "t.jinja:1: error: integer literal 99999999999999999999 out of range");
  EXPECT_EQ(error_of("{% raw %}x"), "t.jinja:1: error: missing end of raw directive");
  EXPECT_EQ(error_of("{{ " + std::string(300, '(') + "1" + std::string(300, ')') + " }}"),
            "t.jinja:1: error: template nested deeper than 200");
}

TEST(JinjaErrors, RenderErrorsNameTheirLine) {
  EXPECT_EQ(error_of("\n{{ x | nosuchfilter }}"), "t.jinja:2: error: no filter named 'nosuchfilter'");
  EXPECT_EQ(error_of("\n\n{{ x is nosuchtest }}"), "t.jinja:3: error: no test named 'nosuchtest'");
  EXPECT_EQ(error_of("{{ 'a'.nosuchmethod() }}"), "t.jinja:1: error: 'str object' has no attribute 'nosuchmethod'");
  EXPECT_EQ(error_of("\n{{ raise_exception('only user and assistant roles') }}"),
            "t.jinja:2: error: only user and assistant roles");
  EXPECT_EQ(error_of("{{ x.y }}"), "t.jinja:1: error: 'x' is undefined");
  EXPECT_EQ(error_of("{{ messages.z.y }}"), "t.jinja:1: error: 'list object' has no attribute 'z'");
  EXPECT_EQ(error_of("{{ 1 + 'a' }}"), "t.jinja:1: error: unsupported operand type(s) for +: 'int' and 'str'");
  EXPECT_EQ(error_of("{{ 1 // 0 }}"), "t.jinja:1: error: integer division or modulo by zero");
  EXPECT_EQ(error_of("{{ 1 < 'a' }}"), "t.jinja:1: error: '<' not supported between instances of 'int' and 'str'");
  EXPECT_EQ(error_of("{% for x in 3 %}{% endfor %}"), "t.jinja:1: error: 'int' object is not iterable");
  EXPECT_EQ(error_of("{{ 2 ** 64 }}"), "t.jinja:1: error: integer overflow");
  EXPECT_EQ(error_of("{{ x() }}"), "t.jinja:1: error: 'x' is undefined");
  EXPECT_EQ(error_of("{{ 'a' | join(1, 2, 3) }}"), "t.jinja:1: error: join() takes at most 2 argument(s), 3 given");
  EXPECT_EQ(error_of("{{ {'a': 1} | tojson(bad=1) }}"),
            "t.jinja:1: error: tojson() got an unexpected keyword argument 'bad'");
  EXPECT_EQ(error_of("{% set ns = namespace() %}{% set ns.self = ns %}{{ ns }}"),
            "t.jinja:1: error: values nested deeper than 100");
}

TEST(JinjaErrors, LimitsStopRunawayTemplates) {
  Limits small;
  small.max_output_bytes = 1000;
  small.max_loop_iterations = 500;
  small.max_call_depth = 8;
  EXPECT_EQ(error_of("{% for i in range(100) %}{{ 'x' * 50 }}{% endfor %}", small),
            "t.jinja:1: error: the output passes 1000 bytes");
  EXPECT_EQ(error_of("{% for i in range(10) %}{% for j in range(100) %}{% endfor %}{% endfor %}", small),
            "t.jinja:1: error: loops ran more than 500 iterations");
  EXPECT_EQ(error_of("{% macro f() %}{{ f() }}{% endmacro %}\n{{ f() }}", small),
            "t.jinja:1: error: macros nested deeper than 8 calls");
  Limits work;
  work.max_work = 100000;
  EXPECT_EQ(
      error_of("{% set s = 'x' * 1000 %}{% for i in range(1000) %}{% if s[i] == 'y' %}{% endif %}{% endfor %}", work),
      "t.jinja:1: error: the render touched more than 100000 bytes and elements");
  EXPECT_EQ(error_of("{% set ns = namespace(s='xx') %}{% for i in range(20) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
                     small),
            "t.jinja:1: error: a str grew past 1000 elements");
}

}  // namespace
}  // namespace lmc::jinja
