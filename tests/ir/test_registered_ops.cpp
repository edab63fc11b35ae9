// Elementwise ops registered at run time (a plugin's): found, listed after the built-in
// ops, parsed and shape-checked like them, with their expression as their traits; names
// taken or malformed, operand counts other than 1 or 2, and expressions reading an operand,
// attribute or statistic the op lacks are refused, naming the op.
#include <gtest/gtest.h>

#include <functional>

#include "ir/graph.h"
#include "ir/op_registry.h"
#include "ir/parser.h"
#include "ir/scalar_expr.h"
#include "ir/verifier.h"

namespace lmc::ir {
namespace {

using namespace sx;

void expect_refused(const std::function<void()>& f, const std::string& words) {
  try {
    f();
    FAIL() << "accepted; expected an error with: " << words;
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
  }
}

TEST(RegisteredOps, AreFoundListedParsedAndChecked) {
  register_elementwise_op("softsign", 1, {}, div(in(0), add(c(1), abs(in(0)))), "x / (1 + |x|)");
  register_elementwise_op("lerp", 2, {"t"}, add(in(0), mul(attr("t"), sub(in(1), in(0)))), "x + t (y - x)");
  const OpDef* d = find_op("lerp");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->traits.role, OpRole::Elementwise);
  EXPECT_EQ(d->traits.expr.str(), "add(in0, mul(t, sub(in1, in0)))");
  EXPECT_EQ(all_ops().back(), d);

  auto g = parse(R"(graph @g(%x: f32[T,8], %b: f32[8]) {
    %s = softsign %x : f32[T,8]
    %y = lerp %s, %b {t = 0.25} : f32[T,8]
    return %y
  })");
  EXPECT_NO_THROW(verify(*g));
  auto bad = parse(R"(graph @g(%x: f32[T,8], %b: f32[4]) {
    %y = lerp %x, %b {t = 0.25} : f32[T,8]
    return %y
  })");
  expect_refused([&] { verify(*bad); }, "operands differ");
}

// An op holds its table entry once found; one built before its kind was registered is
// unknown until then, and found after.
TEST(RegisteredOps, AnOpFindsItsDefinitionOnceItExists) {
  Op early("hardtanh", {}, {});
  EXPECT_EQ(early.definition(), nullptr);
  Op linear("linear", {}, {});
  EXPECT_EQ(linear.definition(), find_op("linear"));
  register_elementwise_op("hardtanh", 1, {}, in(0), "clamped (here: the identity)");
  EXPECT_EQ(early.definition(), find_op("hardtanh"));
  EXPECT_EQ(&traits(early), &find_op("hardtanh")->traits);
}

TEST(RegisteredOps, RefuseWhatTheyCannotBe) {
  expect_refused([] { register_elementwise_op("tanh", 1, {}, in(0), ""); }, "op 'tanh' exists already");
  expect_refused([] { register_elementwise_op("2x", 1, {}, in(0), ""); }, "op '2x': a name is letters");
  expect_refused([] { register_elementwise_op("three", 3, {}, in(0), ""); }, "takes 1 or 2 operands");
  expect_refused([] { register_elementwise_op("reads_in1", 1, {}, in(1), ""); }, "reads in(1) of 1 operand");
  expect_refused([] { register_elementwise_op("reads_k", 1, {}, mul(in(0), attr("k")), ""); },
                 "reads attribute 'k', which it does not declare");
  expect_refused([] { register_elementwise_op("reads_stat", 1, {}, mul(in(0), stat(0)), ""); },
                 "cannot read row statistics");
  EXPECT_EQ(find_op("reads_in1"), nullptr);
}

}  // namespace
}  // namespace lmc::ir
