// Verifier messages, for graphs read from text (they name the file and line) and for
// graphs built in memory (no line to name), and the checks text cannot reach; then
// fusion regions: what a body may hold and how it binds to the fusion op.
#include <gtest/gtest.h>

#include "ir/builder.h"
#include "ir/parser.h"
#include "ir/verifier.h"
#include "support/error.h"

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
            "v.lir:2: error: op 'linear' defining %y (line 2) has 1 operands, expects at least 2");
  // A bias is an add of its own: operands after x are weight parts, matrices.
  EXPECT_EQ(
      verify_text("%x: f32[T,64], %w: f32[32,64], %b: f32[32]", "  %y = linear %x, %w, %b : f32[T,32]\n  return %y\n"),
      "v.lir:2: error: op 'linear' defining %y (line 2): operand 2 must have rank 2, has f32[32]");
  EXPECT_EQ(
      verify_text("%x: f32[T,64], %w: f32[32,64]", "  %y = linear %x, %w {act = \"silu\"} : f32[T,32]\n  return %y\n"),
      "v.lir:2: error: op 'linear' defining %y (line 2) has unknown attribute 'act'");
  EXPECT_EQ(verify_text("", "  %c = concat {axis = 0} : f32[1]\n  return %c\n"),
            "v.lir:2: error: op 'concat' defining %c (line 2) has 0 operands, expects at least 1");
}

TEST(Verifier, AttributeKinds) {
  EXPECT_EQ(verify_text("%x: f32[T,64]", "  %y = scale %x {factor = \"2\"} : f32[T,64]\n  return %y\n"),
            "v.lir:2: error: op 'scale' defining %y (line 2) attribute 'factor' must be float, is string");
  EXPECT_EQ(
      verify_text("%x: f32[T,64]", "  %a, %b = split %x {axis = 1, sizes = 32} : f32[T,32], f32[T,32]\n  return %a\n"),
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

// `%y = fusion <operands> { <body> } : <types>` inside graph @v, the body's ops on
// lines 4 on (line 2 is the fusion, line 3 its argument line).
std::string verify_fusion(const std::string& args, const std::string& operands, const std::string& body_args,
                          const std::string& body, const std::string& types) {
  return verify_text(args, "  %y = fusion " + operands + " {\n  ^(" + body_args + "):\n" + body + "  } : " + types +
                               "\n  return %y\n");
}

// A fusion op over `body` built in memory, its one result typed like operand 0.
Value* append_fusion(Graph& g, std::vector<Value*> operands, std::unique_ptr<Graph> body, const std::string& name) {
  auto fusion = std::make_unique<Op>("fusion", operands, AttrMap{});
  fusion->add_result(name, operands.at(0)->type());
  fusion->set_body(std::move(body));
  return g.append(std::move(fusion))->result();
}

TEST(VerifierRegions, AcceptsAFusionAndItsTypeChecks) {
  EXPECT_EQ(verify_fusion("%gu: f32[T,256], %wd: f32[64,128]", "%gu, %wd", "%gu: f32[T,256], %wd: f32[64,128]",
                          "    %g, %u = split %gu {axis = 1, sizes = [128, 128]} : f32[T,128], f32[T,128]\n"
                          "    %ga = gelu_tanh %g : f32[T,128]\n"
                          "    %m = mul %ga, %u : f32[T,128]\n"
                          "    %y = linear %m, %wd : f32[T,64]\n"
                          "    yield %y\n",
                          "f32[T,64]"),
            "");
  // The operands bind the arguments, so their types must agree.
  EXPECT_EQ(
      verify_fusion("%x: f32[T,32]", "%x", "%a: f32[T,64]", "    %s = silu %a : f32[T,64]\n    yield %s\n",
                    "f32[T,64]"),
      "v.lir:2: error: op 'fusion' defining %y (line 2): operand 0 is f32[T,32] but body argument %a is f32[T,64]");
  // The results are what the body yields.
  EXPECT_EQ(verify_fusion("%x: f32[T,64]", "%x", "%a: f32[T,64]", "    %s = silu %a : f32[T,64]\n    yield %s\n",
                          "f32[T,32]"),
            "v.lir:2: error: op 'fusion' defining %y (line 2) result %y is declared f32[T,32] but its operands give "
            "f32[T,64]");
  EXPECT_EQ(verify_text("%x: f32[T,64]", "  %y = fusion %x : f32[T,64]\n  return %y\n"),
            "v.lir:2: error: op 'fusion' defining %y (line 2) has no body");
}

TEST(VerifierRegions, BodyOpsAreCheckedWithTheirLines) {
  EXPECT_EQ(verify_fusion("%x: f32[T,64]", "%x", "%a: f32[T,64]",
                          "    %s = silu %a : f32[T,64]\n    %t = add %s : f32[T,64]\n    yield %t\n", "f32[T,64]"),
            "v.lir:5: error: op 'add' defining %t (line 5) has 1 operands, expects 2");
}

TEST(VerifierRegions, ABodyCannotNameAnOuterValue) {
  // In text the body is a scope of its own: the outer %x is undefined there.
  try {
    verify_fusion("%x: f32[T,64], %w: f32[32,64]", "%x", "%a: f32[T,64]",
                  "    %y = linear %a, %w : f32[T,32]\n    yield %y\n", "f32[T,32]");
    FAIL() << "expected a parse error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "v.lir:4:21: error: use of undefined value %w");
  }
  // A pass can build one in memory; the verifier refuses it.
  Graph g("mem");
  Value* x = g.add_arg("x", Type{DType::f32, {Dim::symbolic(Sym::T), Dim::of(64)}});
  auto body = std::make_unique<Graph>("body");
  body->add_arg("a", x->type());
  Value* s = Builder(*body).op("silu", {x}, {}, "s");  // reads the outer %x, not %a
  body->set_outputs({s});
  g.set_outputs({append_fusion(g, {x}, std::move(body), "f")});
  try {
    verify(g);
    FAIL() << "expected a capture error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(),
                 "<graph>: error: op 'silu' defining %s uses %x, which is not defined in its region (a region sees "
                 "only its arguments)");
  }
}

TEST(VerifierRegions, YieldsMustBeDefinedInTheBody) {
  // An outer value yielded straight through: text cannot say it, a pass could.
  Graph g("mem");
  Value* x = g.add_arg("x", Type{DType::f32, {Dim::symbolic(Sym::T), Dim::of(8)}});
  auto body = std::make_unique<Graph>("body");
  Value* a = body->add_arg("a", x->type());
  Builder(*body).op("gelu", {a}, {}, "z");
  body->set_outputs({x});
  g.set_outputs({append_fusion(g, {x}, std::move(body), "f")});
  try {
    verify(g, "after test");
    FAIL() << "expected an undefined-yield error";
  } catch (const Error& e) {
    EXPECT_STREQ(e.what(), "after test: error: op 'fusion' defining %f yields %x, which its body does not define");
  }
  EXPECT_EQ(
      verify_fusion("%x: f32[T,64]", "%x", "%a: f32[T,64]", "    %s = silu %a : f32[T,64]\n    yield\n", "f32[T,64]"),
      "v.lir:2: error: op 'fusion' defining %y (line 2) cannot run as one kernel: the region yields nothing");
}

TEST(VerifierRegions, NoNestedFusion) {
  EXPECT_EQ(verify_fusion("%x: f32[T,64]", "%x", "%a: f32[T,64]",
                          "    %i = fusion %a {\n"
                          "    ^(%b: f32[T,64]):\n"
                          "      %s = silu %b : f32[T,64]\n"
                          "      yield %s\n"
                          "    } : f32[T,64]\n"
                          "    yield %i\n",
                          "f32[T,64]"),
            "v.lir:4: error: op 'fusion' defining %i (line 4) is a fusion inside a fusion");
}

TEST(VerifierRegions, AtMostOneAnchor) {
  EXPECT_EQ(verify_fusion("%x: f32[T,64], %w: f32[64,64]", "%x, %w", "%a: f32[T,64], %w: f32[64,64]",
                          "    %p = linear %a, %w : f32[T,64]\n"
                          "    %q = linear %p, %w : f32[T,64]\n"
                          "    yield %q\n",
                          "f32[T,64]"),
            "v.lir:2: error: op 'fusion' defining %y (line 2) cannot run as one kernel: a region has at most one "
            "anchor, this one op 'linear' defining %p (line 4) and op 'linear' defining %q (line 5)");
}

// What codegen cannot generate fails in the verifier, with the lines of the input: the
// fusion's, and the body op's that region_shape objects to.
TEST(VerifierRegions, RegionsNoKernelCanRunAreRefused) {
  EXPECT_EQ(verify_fusion("%x: f32[T,64], %w: f32[8,64], %g: f32[8]", "%x, %w, %g",
                          "%a: f32[T,64], %w: f32[8,64], %g: f32[8]",
                          "    %p = linear %a, %w : f32[T,8]\n"
                          "    %n = rms_norm %p, %g {eps = 1e-05} : f32[T,8]\n"
                          "    yield %n\n",
                          "f32[T,8]"),
            "v.lir:2: error: op 'fusion' defining %y (line 2) cannot run as one kernel: op 'rms_norm' defining %n "
            "(line 5) cannot be applied to the anchor's output element by element");
  EXPECT_EQ(
      verify_fusion("%x: f32[T,64], %g: f32[16], %h: f32[64]", "%x, %g, %h", "%a: f32[T,64], %g: f32[16], %h: f32[64]",
                    "    %n = rms_norm %a, %g {eps = 1e-05} : f32[T,64]\n"
                    "    %m = rms_norm %n, %h {eps = 1e-05} : f32[T,64]\n"
                    "    yield %m\n",
                    "f32[T,64]"),
      "v.lir:2: error: op 'fusion' defining %y (line 2) cannot run as one kernel: op 'rms_norm' defining %m "
      "(line 5): row reductions of different group lengths in one region (64 here, 16 before)");
}

TEST(VerifierRegions, OnlyComputingOpsJoinARegion) {
  EXPECT_EQ(verify_fusion("%x: f32[T,64]", "%x", "%a: f32[T,64]",
                          "    %w = param {name = \"w\"} : f32[32,64]\n"
                          "    %y = linear %a, %w : f32[T,32]\n"
                          "    yield %y\n",
                          "f32[T,32]"),
            "v.lir:4: error: op 'param' defining %w (line 4) cannot be part of a fusion (it is a weight)");
  EXPECT_EQ(verify_fusion("%c: f32[64,16], %x: f32[T,16], %p: i32[T], %s: i32[T]", "%c, %x, %p, %s",
                          "%c: f32[64,16], %x: f32[T,16], %p: i32[T], %s: i32[T]",
                          "    %k = kv_write %c, %x, %p, %s : f32[64,16]\n    yield %k\n", "f32[64,16]"),
            "v.lir:4: error: op 'kv_write' defining %k (line 4) cannot be part of a fusion (it is a view aliasing "
            "its operand)");
  EXPECT_EQ(verify_fusion("%w: f32[32,64]", "%w", "%w: f32[32,64]",
                          "    %q = quantize %w {dtype = q8_0} : q8_0[32,64]\n    yield %q\n", "q8_0[32,64]"),
            "v.lir:4: error: op 'quantize' defining %q (line 4) cannot be part of a fusion (it is a weight-transform)");
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
