// The expression language of model definitions (models/expr.h): values, operators and
// their errors, evaluated as a definition's params are.
#include <gtest/gtest.h>

#include "models/expr.h"
#include "tests/models/expect_error.h"

namespace lmc::models {
namespace {

double num(const std::string& text, const ExprEnv& env = {}) {
  return std::get<double>(eval_expr(text, env, "m.yaml:1:1"));
}

TEST(Expr, LogicalOperatorsParseTheirRightSideWhateverTheLeft) {
  // A definition's "use_swa && i >= first ? window : 0" with use_swa false must still
  // read to the end (a short-circuit that skipped parsing left "i >= ..." unread).
  ExprEnv env;
  env.vars = {{"off", 0.0}, {"on", 1.0}, {"i", 5.0}, {"w", 16.0}};
  EXPECT_EQ(num("off && i >= 2 ? w : 0", env), 0);
  EXPECT_EQ(num("on && i >= 2 ? w : 0", env), 16);
  EXPECT_EQ(num("on || i >= 9 ? w : 0", env), 16);
  EXPECT_EQ(num("off || i >= 9 ? w : 0", env), 0);
  EXPECT_EQ(num("off || on && i == 5", env), 1);
}

TEST(Expr, ArithmeticComparisonsAndStrings) {
  ExprEnv env;
  env.vars = {{"d", 896.0}, {"h", 14.0}, {"kind", std::string("none")}};
  EXPECT_EQ(num("d / h", env), 64);
  EXPECT_DOUBLE_EQ(num("(d / h) ** -0.5", env), 0.125);
  EXPECT_EQ(num("kind == \"none\"", env), 1);
  EXPECT_EQ(num("min(d, 8192) + max(2, 3) % 2", env), 897);
  EXPECT_EQ(std::get<std::string>(eval_expr("\"blk.{h}.\" + \"w\"", env, "m.yaml:1:1")), "blk.14.w");
}

TEST(Expr, HostFunctionErrorsNameTheExpression) {
  ExprEnv env;
  env.functions["require"] = [](const std::vector<ExprValue>& a) -> ExprValue {
    if (std::get<double>(a[0]) == 0) throw Error("unsupported by w.gguf: " + std::get<std::string>(a[1]));
    return 1.0;
  };
  EXPECT_EQ(num("require(1, \"x\")", env), 1);
  test::expect_error([&] { num("require(0, \"rope_scaling\")", env); },
                     {"m.yaml:1:1", "in expression", "unsupported by w.gguf: rope_scaling"});
  test::expect_error([&] { num("1 && ", env); }, {"m.yaml:1:1", "unexpected end"});
  test::expect_error([&] { num("nope && 1", env); }, {"unknown name 'nope'"});
}

}  // namespace
}  // namespace lmc::models
