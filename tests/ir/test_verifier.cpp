// Verifier messages, for graphs read from text (they name the file and line) and for
// graphs built in memory (no line to name), and the checks text cannot reach.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/error.h"
#include "ir/parser.h"
#include "ir/verifier.h"

namespace lmc::ir {
namespace {

// The verifier's message for `body` (ops and return, one per line), or "" if valid.
std::string verify_text(const std::string& args, const std::string& body) {
  auto g = parse("graph @v(" + args + ") {\n" + body + "}\n", "v.lir");
  try {
    verify(*g, "v.lir");
    return "";
  } catch (const Error& e) {
    return e.what();
  }
}

TEST(Verifier, AcceptsAWellFormedGraph) {
  EXPECT_EQ(verify_text("%x: f32[T,64], %w: f32[32,64]",
                        "  %y = linear %x, %w : f32[T,32]\n"
                        "  %r = reshape %y : f32[T,2,16]\n"
                        "  return %r\n"),
            "");
}

TEST(Verifier, NamesFileLineAndOp) {
  EXPECT_EQ(verify_text("%x: f32[T,64]", "  %y = silu %x : f32[T,64]\n  %z = add %y : f32[T,64]\n  return %z\n"),
            "v.lir:3: error: op 'add' defining %z (line 3) has 1 operands, expects 2");
  EXPECT_EQ(verify_text("%x: f32[T,64]", "  %y = linear %x : f32[T,64]\n  return %y\n"),
            "v.lir:2: error: op 'linear' defining %y (line 2) has 1 operands, expects 2 to 4");
  EXPECT_EQ(verify_text("", "  %c = concat {axis = 0} : f32[1]\n  return %c\n"),
            "v.lir:2: error: op 'concat' defining %c (line 2) has 0 operands, expects at least 1");
}

TEST(Verifier, AttributeKinds) {
  EXPECT_EQ(verify_text("%x: f32[T,64]", "  %y = scale %x {factor = \"2\"} : f32[T,64]\n  return %y\n"),
            "v.lir:2: error: op 'scale' defining %y (line 2) attribute 'factor' must be float, is string");
  EXPECT_EQ(verify_text("%x: f32[T,64]",
                        "  %a, %b = split %x {axis = 1, sizes = 32} : f32[T,32], f32[T,32]\n  return %a\n"),
            "v.lir:2: error: op 'split' defining %a (line 2) attribute 'sizes' must be int list, is int");
  EXPECT_EQ(verify_text("%w: f32[64,64]", "  %q = quantize %w {dtype = \"q8_0\"} : q8_0[64,64]\n  return %q\n"),
            "v.lir:2: error: op 'quantize' defining %q (line 2) attribute 'dtype' must be dtype, is string");
}

TEST(Verifier, ReshapeKeepsElementsAndDtype) {
  EXPECT_EQ(verify_text("%x: f32[T,64]", "  %r = reshape %x : f32[T,4,8]\n  return %r\n"),
            "v.lir:2: error: op 'reshape' defining %r (line 2) cannot reshape f32[T,64] to f32[T,4,8]");
  EXPECT_EQ(verify_text("%x: f32[T,64]", "  %r = reshape %x : f32[L,64]\n  return %r\n"),
            "v.lir:2: error: op 'reshape' defining %r (line 2) cannot reshape f32[T,64] to f32[L,64]");
  EXPECT_EQ(verify_text("%x: f32[T,64]", "  %r = reshape %x : f16[T,64]\n  return %r\n"),
            "v.lir:2: error: op 'reshape' defining %r (line 2) cannot reshape f32[T,64] to f16[T,64]");
}

TEST(Verifier, DeclaredTypeOpsHaveOneResult) {
  EXPECT_EQ(verify_text("", "  %a, %b = param {name = \"w\"} : f32[4], f32[4]\n  return %a\n"),
            "v.lir:2: error: op 'param' defining %a (line 2) must have one result");
}

TEST(Verifier, InMemoryGraphsHaveNoLine) {
  Graph g("mem");
  Value* x = g.add_arg("x", Type{DType::f32, {Dim::symbolic(Sym::T), Dim::of(8)}});
  Builder b(g);
  Value* y = b.op("silu", {x}, {}, "y");
  y->def()->attrs()["factor"] = 2.0;
  try {
    verify(g);
    FAIL() << "expected an unknown-attribute error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "<graph>: error: op 'silu' defining %y has unknown attribute 'factor'");
  }
}

TEST(Verifier, OutputsMustBeDefinedInTheGraph) {
  // Text cannot say this (the parser resolves names), but a pass can: return a
  // value whose op it erased.
  Graph g("mem");
  Value* x = g.add_arg("x", Type{DType::f32, {Dim::symbolic(Sym::T), Dim::of(8)}});
  Builder b(g);
  Value* z = b.op("gelu", {x}, {}, "z");
  auto orphan = std::make_unique<Op>("gelu", std::vector<Value*>{x}, AttrMap{});
  Value* gone = orphan->add_result("gone", x->type());  // never inserted into g
  g.set_outputs({z, gone});
  try {
    verify(g, "after test");
    FAIL() << "expected an undefined-output error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "after test: error: graph output %gone is not defined");
  }
}

}  // namespace
}  // namespace lmc::ir
