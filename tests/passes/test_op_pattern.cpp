// Patterns as data (passes/api/op_pattern.h): what a pattern written in the IR's text
// form matches, what it captures, and how a malformed pattern is reported.
#include <gtest/gtest.h>

#include "ir/parser.h"
#include "passes/api/op_pattern.h"
#include "support/error.h"
#include "tests/passes/graph_lookup.h"

namespace lmc::passes {
namespace {

const char* kMlp =
    "graph @mlp(%x: f32[T,32], %gu: f32[T,128]) {\n"
    "  %g, %u = split %gu {axis = 1, sizes = [64, 64]} : f32[T,64], f32[T,64]\n"
    "  %a = silu %g : f32[T,64]\n"
    "  %m = mul %u, %a : f32[T,64]\n"
    "  %w = param {name = \"w\"} : f32[32,64]\n"
    "  %d = linear %m, %w : f32[T,32]\n"
    "  %r = add %d, %x : f32[T,32]\n"
    "  return %r\n"
    "}\n";

TEST(OpPattern, MatchesAChainAndCapturesItsValues) {
  auto g = ir::parse(kMlp);
  OpPattern p(R"(
    %g, %u = split %gu
    %a = any(gelu, gelu_tanh, silu) %g
    %m = mul %a, %u
    %d = linear %m, %w
  )");
  auto m = p.match(op_named(*g, "d"));
  ASSERT_TRUE(m);  // mul is commutative: %u, %a matches %a, %u
  EXPECT_EQ(m->value("gu"), g->arg("gu"));
  EXPECT_EQ(m->op("a"), op_named(*g, "a"));
  EXPECT_EQ(m->op("g"), op_named(*g, "g"));
  EXPECT_EQ(m->value("w")->name(), "w");
  EXPECT_FALSE(p.match(op_named(*g, "r")));  // the root must be a linear
}

TEST(OpPattern, ResultIndexAndRecurringNamesMustAgree) {
  auto g = ir::parse(kMlp);
  // %u is the second half: naming it first fails.
  EXPECT_FALSE(OpPattern("%u, %g = split %gu\n%a = silu %g\n").match(op_named(*g, "a")));
  // One name, two places: both must be the same value.
  EXPECT_FALSE(OpPattern("%m = mul %p, %p").match(op_named(*g, "m")));
}

TEST(OpPattern, RolesOperandCountsAndWildcards) {
  auto g = ir::parse(kMlp);
  OpPattern elementwise("%e = any(elementwise)");
  EXPECT_TRUE(elementwise.match(op_named(*g, "a")));
  EXPECT_TRUE(elementwise.match(op_named(*g, "r")));
  EXPECT_FALSE(elementwise.match(op_named(*g, "d")));
  // A line no op it names could match is refused where the pattern is made.
  try {
    OpPattern("%d = linear %x");
    ADD_FAILURE() << "linear takes two operands or more";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "pattern:1:6: error: 'linear' takes at least 2 operands; the line gives 1");
  }
  try {
    OpPattern("%s = sigmoid %g, %h");
    ADD_FAILURE() << "sigmoid takes one operand";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "pattern:1:18: error: 'sigmoid' takes 1 operand; the line gives 2");
  }
  EXPECT_FALSE(OpPattern("%d = linear %x, %w, %v").match(op_named(*g, "d")));  // two operands, not three
  EXPECT_TRUE(OpPattern("%d = linear %x, ...").match(op_named(*g, "d")));
  EXPECT_TRUE(OpPattern("%y = any(linear, region)\n%r = add %x, %y").match(op_named(*g, "r")));
}

TEST(OpPattern, ForEachVisitsEveryMatchInProgramOrder) {
  auto g = ir::parse(kMlp);
  std::vector<std::string> seen;
  int n =
      OpPattern("%e = any(elementwise)").for_each(*g, [&](const Match& m) { seen.push_back(m.value("e")->name()); });
  EXPECT_EQ(n, 3);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "m", "r"}));
}

const char* kSiblings =
    "graph @qkv(%x: f32[T,32], %y: f32[T,32]) {\n"
    "  %wq = param {name = \"wq\"} : f32[16,32]\n"
    "  %wk = param {name = \"wk\"} : f32[8,32]\n"
    "  %wo = param {name = \"wo\"} : f32[8,32]\n"
    "  %q = linear %x, %wq : f32[T,16]\n"
    "  %o = linear %y, %wo : f32[T,8]\n"
    "  %k = linear %x, %wk : f32[T,8]\n"
    "  return %q, %k, %o\n"
    "}\n";

// Two roots that read one value: the other root is a distinct user of what the first bound.
TEST(OpPattern, SeveralRootsMeetAtAValueTheyRead) {
  auto g = ir::parse(kSiblings);
  OpPattern siblings("%a = linear %x, %w1\n%b = linear %x, %w2\n");
  auto m = siblings.match(*g, op_named(*g, "k"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->op("a"), op_named(*g, "q"));  // never %k twice, never %o (it reads %y)
  EXPECT_EQ(m->value("a"), op_named(*g, "q")->result(0));
  EXPECT_EQ(m->value("w2")->name(), "wk");
  EXPECT_FALSE(siblings.match(*g, op_named(*g, "o")));  // no other linear reads %y
  std::vector<std::string> pairs;
  siblings.for_each(
      *g, [&](const Match& p) { pairs.push_back(p.op("b")->result(0)->name() + "+" + p.op("a")->result(0)->name()); });
  EXPECT_EQ(pairs, (std::vector<std::string>{"q+k", "k+q"}));
  // Without the graph, the other root cannot be looked for.
  EXPECT_THROW(siblings.match(op_named(*g, "k")), Error);
  // A root that reads nothing the others bind has nowhere to be looked for.
  EXPECT_THROW(OpPattern("%a = linear %y, %w1\n%b = linear %x, %w2\n"), Error);
  // Lines that name each other are a pattern still (no op matches a cycle).
  EXPECT_FALSE(OpPattern("%a = add %b, %x\n%b = add %a, %x\n").match(*g, op_named(*g, "k")));
}

TEST(OpPattern, MalformedPatternsNameTheLine) {
  try {
    OpPattern("%a = silu %x\n%b = frobnicate %a\n");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("pattern:2:6: error: 'frobnicate' is neither an op nor a role"),
              std::string::npos)
        << e.what();
  }
  // A misspelt kind or role, in an alternative too, says what was probably meant.
  for (const auto& [text, what] : std::vector<std::pair<std::string, std::string>>{
           {"%a = slu %x\n", "pattern:1:6: error: 'slu' is neither an op nor a role (did you mean 'silu'?)"},
           {"%a = any(gelu, elementwsie) %x\n",
            "pattern:1:16: error: 'elementwsie' is neither an op nor a role (did you mean 'elementwise'?)"}}) {
    try {
      OpPattern{text};
      ADD_FAILURE() << "no error for " << text;
    } catch (const Error& e) {
      EXPECT_EQ(std::string(e.what()), what);
    }
  }
  EXPECT_THROW(OpPattern("%a = silu %x\n%a = gelu %x\n"), Error);  // defined twice
  EXPECT_THROW(OpPattern(""), Error);
  EXPECT_THROW(OpPattern("%a silu %x"), Error);
}

}  // namespace
}  // namespace lmc::passes
