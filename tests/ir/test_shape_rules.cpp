// Every op's shape rule (ir/op_table.cpp), each with a case it accepts and the cases
// it must refuse, with the exact message. A final test checks that no op with a shape
// rule is missing from the table, so a new op arrives with its cases.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "ir/op_registry.h"
#include "ir/parser.h"
#include "support/error.h"

namespace lmc::ir {
namespace {

// A type from its text form, read by the IR's own parser.
Type type_of(const std::string& text) {
  return parse("graph @t(%v: " + text + ") {\n  return\n}\n")->args().at(0)->type();
}

struct RuleCase {
  std::string kind;
  std::vector<std::string> operands;  // operand types
  AttrMap attrs;
  std::string want;  // result types joined by ", ", or "error: <message>"
  std::string body = "";  // a fusion's body, as the text of a graph; "" for none
};

// Applies the op's rule to operands of the given types.
std::string apply(const RuleCase& c) {
  std::vector<std::unique_ptr<Value>> values;
  std::vector<Value*> operands;
  for (const auto& t : c.operands) {
    values.push_back(std::make_unique<Value>("v" + std::to_string(values.size()), type_of(t), nullptr, 0));
    operands.push_back(values.back().get());
  }
  Op op(c.kind, operands, c.attrs);
  if (!c.body.empty()) op.set_body(parse(c.body));
  try {
    std::string out;
    for (const Type& t : find_op(c.kind)->infer(op)) out += (out.empty() ? "" : ", ") + t.str();
    return out;
  } catch (const Error& e) {
    return std::string("error: ") + e.what();
  }
}

using L = std::vector<int64_t>;
const std::string kLinearSilu =
    "graph @body(%x: f32[T,64], %w: f32[32,64]) {\n"
    "  %y = linear %x, %w : f32[T,32]\n"
    "  %a = silu %y : f32[T,32]\n"
    "  return %a\n"
    "}\n";
const std::string kSplitTwoYields =
    "graph @body(%x: f32[T,64]) {\n"
    "  %a, %b = split %x {axis = 1, sizes = [48, 16]} : f32[T,48], f32[T,16]\n"
    "  %s = silu %a : f32[T,48]\n"
    "  return %s, %b\n"
    "}\n";
const AttrMap kEps{{"eps", 1e-6}};
const AttrMap kRope{{"head_dim", int64_t{16}}, {"base", 10000.0}, {"style", std::string("neox")}};
AttrMap attention_attrs(int64_t heads, int64_t kv_heads) {
  return {{"n_heads", heads}, {"n_kv_heads", kv_heads}, {"head_dim", int64_t{16}}, {"scale", 0.25}};
}
AttrMap bidirectional(AttrMap attrs, int64_t causal) {
  attrs["causal"] = causal;
  return attrs;
}
const AttrMap kPool{{"side", int64_t{8}}, {"window", int64_t{4}}};
AttrMap windowed(AttrMap attrs, int64_t window) {
  attrs["window"] = window;
  return attrs;
}

const std::vector<RuleCase> kCases = {
    {"embedding", {"f32[256,64]", "i32[T]"}, {}, "f32[T,64]"},
    {"embedding", {"q8_0[256,64]", "i32[T]"}, {}, "f32[T,64]"},
    {"embedding", {"f32[256,64]", "f32[T]"}, {}, "error: operand 1 must be i32, is f32[T]"},
    {"embedding", {"f32[256]", "i32[T]"}, {}, "error: operand 0 must have rank 2, has f32[256]"},

    {"rms_norm", {"f32[T,64]", "f32[64]"}, kEps, "f32[T,64]"},
    {"rms_norm", {"f32[T,64]", "f32[16]"}, kEps, "f32[T,64]"},  // per head
    {"rms_norm", {"f32[T,64]", "f32[48]"}, kEps, "error: weight dim 48 does not divide 64"},
    {"rms_norm", {"f32[64,T]", "f32[64]"}, kEps, "error: feature dim must be a constant dim, is T"},
    {"rms_norm", {"f32[T,64]", "f32[64]"}, {{"eps", -1e-6}}, "error: eps must be a finite number >= 0, is -0.000001"},

    {"layer_norm", {"f32[T,64]", "f32[64]", "f32[64]"}, kEps, "f32[T,64]"},
    {"layer_norm", {"f32[T,64]", "f32[64]", "f32[32]"}, kEps, "error: operand 2 dim is 32, expected 64"},
    {"layer_norm",
     {"f32[T,64]", "f32[64]", "f32[64]"},
     {{"eps", std::nan("")}},
     "error: eps must be a finite number >= 0, is nan"},

    {"linear", {"f32[T,64]", "f32[32,64]"}, {}, "f32[T,32]"},
    {"linear", {"f32[T,64]", "q8_0[32,64]"}, {}, "f32[T,32]"},
    {"linear", {"f32[T,64]", "f32[32,48]"}, {}, "error: weight input dim is 48, expected 64"},
    // gate|up is no longer read by linear itself: act(gate)*up is a split, an activation and a mul.
    {"linear", {"f32[T,256]", "f32[64,128]"}, {}, "error: weight input dim is 128, expected 256"},
    {"linear", {"f32[T,64]", "f32[64]"}, {}, "error: operand 1 must have rank 2, has f32[64]"},
    // Weight parts in their own dtypes (siblings fused across block types): their rows stack.
    {"linear", {"f32[T,64]", "q5_0x16[96,64]", "q8_0x16[32,64]"}, {}, "f32[T,128]"},
    {"linear", {"f32[T,64]", "f32[32,64]", "f32[16,48]"}, {}, "error: weight input dim is 48, expected 64"},
    {"linear", {"f32[T,64]", "f32[32,64]", "f32[16]"}, {}, "error: operand 2 must have rank 2, has f32[16]"},
    {"linear",
     {"f32[T,64]", "f32[32,64]", "f32[T,64]"},
     {},
     "error: a weight part's rows must be a constant dim, is T"},

    {"add", {"f32[T,64]", "f32[T,64]"}, {}, "f32[T,64]"},
    {"add", {"f32[T,64]", "f32[64]"}, {}, "f32[T,64]"},  // a bias: one row for every row
    // one row broadcasts only over the rows of a matrix: [T,4,16] + [16] is refused
    {"add", {"f32[T,4,16]", "f32[16]"}, {}, "error: operands differ: f32[T,4,16] vs f32[16]"},
    {"add", {"f32[64]", "f32[64]"}, {}, "f32[64]"},
    {"add", {"f32[T,64]", "f32[T,32]"}, {}, "error: operands differ: f32[T,64] vs f32[T,32]"},
    {"add", {"f32[T,64]", "f32[32]"}, {}, "error: operands differ: f32[T,64] vs f32[32]"},
    {"add", {"f32[T,64]", "f16[64]"}, {}, "error: operands differ: f32[T,64] vs f16[64]"},
    {"add", {"f32[64]", "f32[T,64]"}, {}, "error: operands differ: f32[64] vs f32[T,64]"},  // the row is operand 1
    {"add", {"f32[T,64]", "f32[1,64]"}, {}, "error: operands differ: f32[T,64] vs f32[1,64]"},
    {"mul", {"f32[T,64]", "f32[T,64]"}, {}, "f32[T,64]"},
    {"mul", {"f32[T,64]", "f32[64]"}, {}, "f32[T,64]"},
    {"mul", {"f32[T,64]", "f32[L,64]"}, {}, "error: operands differ: f32[T,64] vs f32[L,64]"},
    {"mul", {"f32[T]", "f32[1]"}, {}, "error: operands differ: f32[T] vs f32[1]"},
    // one column: a number per row (a gate) for all the row's columns
    {"mul", {"f32[T,64]", "f32[T,1]"}, {}, "f32[T,64]"},
    {"mul", {"f32[T,64]", "f32[L,1]"}, {}, "error: operands differ: f32[T,64] vs f32[L,1]"},
    {"mul", {"f32[T,64]", "f32[T,2]"}, {}, "error: operands differ: f32[T,64] vs f32[T,2]"},
    {"mul", {"f32[T,1]", "f32[T,64]"}, {}, "error: operands differ: f32[T,1] vs f32[T,64]"},  // the column is operand 1
    {"mul", {"f32[T,4,16]", "f32[T,1]"}, {}, "error: operands differ: f32[T,4,16] vs f32[T,1]"},
    {"sigmoid", {"f32[T,1]"}, {}, "f32[T,1]"},
    {"scale", {"f32[T,64]"}, {{"factor", 2.0}}, "f32[T,64]"},
    {"scale", {"i32[T]"}, {{"factor", 2.0}}, "error: operand 0 must be f32, is i32[T]"},
    {"gelu", {"f32[T,64]"}, {}, "f32[T,64]"},
    {"gelu", {"f32[]"}, {}, "error: operand 0 must have rank >= 1"},
    {"gelu_tanh", {"f32[T,64]"}, {}, "f32[T,64]"},
    {"gelu_tanh", {"f16[T,64]"}, {}, "error: operand 0 must be f32, is f16[T,64]"},
    {"silu", {"f32[T,64]"}, {}, "f32[T,64]"},
    {"silu", {"bf16[T,64]"}, {}, "error: operand 0 must be f32, is bf16[T,64]"},
    {"tanh", {"f32[T,64]"}, {}, "f32[T,64]"},
    {"tanh", {"i32[T]"}, {}, "error: operand 0 must be f32, is i32[T]"},

    {"rope", {"f32[T,64]", "i32[T]"}, kRope, "f32[T,64]"},
    {"rope", {"f32[T,64]", "i32[]"}, kRope, "error: operand 1 must have rank 1, has i32[]"},
    {"rope", {"f32[T,64]", "i32[8]"}, kRope, "error: operand 1 length is 8, expected T"},
    {"rope", {"f32[T,40]", "i32[T]"}, kRope, "error: head_dim 16 does not fit 40"},
    {"rope",
     {"f32[T,64]", "i32[T]"},
     {{"head_dim", int64_t{16}}, {"base", 1e4}, {"style", std::string("gptj")}},
     "error: style must be \"neox\" or \"normal\""},
    {"rope",
     {"f32[T,64]", "i32[T]"},
     {{"head_dim", int64_t{16}}, {"base", -10000.0}, {"style", std::string("neox")}},
     "error: base must be a finite number > 0, is -10000.000000"},

    {"kv_write", {"f32[64,16]", "f32[T,16]", "i32[T]", "i32[T]"}, {}, "f32[64,16]"},
    {"kv_write", {"f32[64,16]", "f32[T,32]", "i32[T]", "i32[T]"}, {}, "error: row width is 32, expected 16"},
    {"kv_write", {"f32[T,16]", "f32[T,16]", "i32[T]", "i32[T]"}, {}, "error: cache rows must be a constant or C, is T"},
    {"kv_write", {"f32[C,16]", "f32[T,16]", "i32[T]", "i32[T]"}, {}, "f32[C,16]"},
    {"kv_write", {"f16[C,16]", "f32[T,16]", "i32[T]", "i32[T]"}, {}, "f16[C,16]"},
    {"kv_write", {"q8_0[C,64]", "f32[T,64]", "i32[T]", "i32[T]"}, {}, "q8_0[C,64]"},
    {"kv_write",
     {"q8_0[C,48]", "f32[T,48]", "i32[T]", "i32[T]"},
     {},
     "error: a q8_0 cache needs whole blocks of 32 per head: width 48, head 48"},
    {"kv_write",
     {"bf16[C,16]", "f32[T,16]", "i32[T]", "i32[T]"},
     {},
     "error: operand 0 must be a cache of f32, f16 or q8_0, is bf16[C,16]"},
    {"kv_write", {"f16[C,16]", "f16[T,16]", "i32[T]", "i32[T]"}, {}, "error: operand 1 must be f32, is f16[T,16]"},
    {"kv_write", {"f32[C,16]", "f32[T,16]", "i32[]", "i32[T]"}, {}, "error: operand 2 must have rank 1, has i32[]"},
    {"kv_write", {"f32[C,16]", "f32[T,16]", "i32[T]", "f32[T]"}, {}, "error: operand 3 must be i32, is f32[T]"},

    {"attention", {"f32[T,64]", "f32[32,16]", "f32[32,16]", "i32[T]", "i32[T]"}, attention_attrs(4, 1), "f32[T,64]"},
    {"attention", {"f32[T,64]", "f32[C,16]", "f32[C,16]", "i32[T]", "i32[T]"}, attention_attrs(4, 1), "f32[T,64]"},
    {"attention", {"f32[T,64]", "f16[C,16]", "f32[C,16]", "i32[T]", "i32[T]"}, attention_attrs(4, 1), "f32[T,64]"},
    {"attention",
     {"f32[T,64]", "f16[C,32]", "q8_0[C,32]", "i32[T]", "i32[T]"},
     attention_attrs(4, 2),
     "error: a q8_0 cache needs whole blocks of 32 per head: width 32, head 16"},
    {"attention",
     {"f32[T,64]", "f16[C,16]", "f16[C,32]", "i32[T]", "i32[T]"},
     attention_attrs(4, 1),
     "error: value cache must have the key cache's shape f16[C,16]"},
    {"attention",
     {"f32[T,64]", "f32[32,32]", "f32[32,32]", "i32[T]", "i32[T]"},
     attention_attrs(4, 3),
     "error: n_heads must be a positive multiple of n_kv_heads"},
    {"attention",
     {"f32[T,32]", "f32[32,16]", "f32[32,16]", "i32[T]", "i32[T]"},
     attention_attrs(4, 1),
     "error: query width is 32, expected 64"},
    {"attention",
     {"f32[T,64]", "f32[32,16]", "f32[16,16]", "i32[T]", "i32[T]"},
     attention_attrs(4, 1),
     "error: value cache must have the key cache's shape f32[32,16]"},
    {"attention",
     {"f32[T,64]", "f32[32,16]", "f32[32,16]", "i32[T]", "i32[T]"},
     windowed(attention_attrs(4, 1), 0),
     "f32[T,64]"},
    {"attention",
     {"f32[T,64]", "f32[32,16]", "f32[32,16]", "i32[T]", "i32[T]"},
     windowed(attention_attrs(4, 1), -1),
     "error: window must be >= 0"},
    {"attention",
     {"f32[T,64]", "f32[C,16]", "f32[C,16]", "i32[T]", "i32[T]"},
     bidirectional(attention_attrs(4, 1), 0),
     "f32[T,64]"},
    {"attention",
     {"f32[T,64]", "f32[C,16]", "f32[C,16]", "i32[T]", "i32[T]"},
     windowed(bidirectional(attention_attrs(4, 1), 0), 8),
     "error: bidirectional attention (causal = 0) takes no window"},
    {"attention",
     {"f32[T,64]", "f32[C,16]", "f32[C,16]", "i32[T]", "i32[T]"},
     bidirectional(attention_attrs(4, 1), 2),
     "error: causal must be 0 or 1, is 2"},

    {"moe_route", {"f32[T,64]"}, {{"k", int64_t{8}}, {"scoring", std::string("softmax")}}, "i32[T,8], f32[T,8]"},
    {"moe_route",
     {"f32[T,64]"},
     {{"k", int64_t{65}}, {"scoring", std::string("softmax")}},
     "error: k must be 1..64, is 65"},
    {"moe_route",
     {"f32[T,64]"},
     {{"k", int64_t{2}}, {"scoring", std::string("relu")}},
     "error: scoring must be \"softmax\" or \"sigmoid\""},
    {"moe_route",
     {"f32[T,64]"},
     {{"k", int64_t{2}}, {"scoring", std::string("sigmoid")}, {"norm_topk", int64_t{2}}},
     "error: norm_topk must be 0 or 1"},
    {"expert_linear", {"f32[T,64]", "q8_0[8,32,64]", "i32[T,2]"}, {}, "f32[T,2,32]"},
    {"expert_linear", {"f32[T,2,32]", "f32[8,64,32]", "i32[T,2]"}, {}, "f32[T,2,64]"},
    {"expert_linear", {"f32[T,3,32]", "f32[8,64,32]", "i32[T,2]"}, {}, "error: input slots is 3, expected 2"},
    {"expert_linear", {"f32[T,64]", "f32[8,32,48]", "i32[T,2]"}, {}, "error: weight input dim is 48, expected 64"},
    {"expert_linear", {"f32[T,64]", "f32[32,64]", "i32[T,2]"}, {}, "error: operand 1 must have rank 3, has f32[32,64]"},
    {"expert_sum", {"f32[T,2,64]", "f32[T,2]"}, {}, "f32[T,64]"},
    {"expert_sum", {"f32[T,2,64]", "f32[T,4]"}, {}, "error: gates slots is 4, expected 2"},
    {"split", {"f32[T,64]"}, {{"axis", int64_t{1}}, {"sizes", L{32, 16, 16}}}, "f32[T,32], f32[T,16], f32[T,16]"},
    {"split", {"f32[T,64]"}, {{"axis", int64_t{1}}, {"sizes", L{32, 28}}}, "error: sum of sizes is 60, expected 64"},
    {"split", {"f32[T,64]"}, {{"axis", int64_t{2}}, {"sizes", L{64}}}, "error: axis out of range"},
    {"split", {"f32[T,64]"}, {{"axis", int64_t{1}}, {"sizes", L{72, -8}}}, "error: sizes must be positive"},

    {"concat", {"f32[32,64]", "f32[16,64]"}, {{"axis", int64_t{0}}}, "f32[48,64]"},
    {"concat", {"f32[T,32]", "f32[T,16]"}, {{"axis", int64_t{1}}}, "f32[T,48]"},
    {"concat",
     {"f32[T,32]", "f32[T,32]"},
     {{"axis", int64_t{0}}},
     "error: concatenated dim must be a constant dim, is T"},
    {"concat", {"f32[32,64]", "f16[16,64]"}, {{"axis", int64_t{0}}}, "error: operands must agree in dtype and rank"},
    {"concat", {"f32[32,64]", "f32[16,32]"}, {{"axis", int64_t{0}}}, "error: dim 1 is 32, expected 64"},

    {"quantize", {"f32[64,64]"}, {{"dtype", DType::q8_0}}, "q8_0[64,64]"},
    {"quantize", {"f32[64,48]"}, {{"dtype", DType::q8_0}}, "error: input dim 48 is not a multiple of the block size"},

    {"tail_rows", {"f32[T,64]"}, {}, "f32[L,64]"},
    {"avg_pool", {"f32[64,32]"}, kPool, "f32[4,32]"},
    {"avg_pool", {"f32[T,32]"}, kPool, "f32[4,32]"},
    {"avg_pool", {"f32[63,32]"}, kPool, "error: operand 0 must have side² = 64 rows or T, has f32[63,32]"},
    {"avg_pool", {"f32[L,32]"}, kPool, "error: operand 0 must have side² = 64 rows or T, has f32[L,32]"},
    {"avg_pool",
     {"f32[36,32]"},
     {{"side", int64_t{6}}, {"window", int64_t{4}}},
     "error: side (6) must be a positive multiple of window (4)"},
    {"avg_pool", {"f32[T,4,8]"}, kPool, "error: operand 0 must have rank 2, has f32[T,4,8]"},
    {"slice", {"f32[64,48]"}, {{"axis", int64_t{0}}, {"begin", int64_t{16}}, {"size", int64_t{32}}}, "f32[32,48]"},
    {"slice", {"q8_0[64,64]"}, {{"axis", int64_t{1}}, {"begin", int64_t{32}}, {"size", int64_t{32}}}, "q8_0[64,32]"},
    {"slice", {"f32[64]"}, {{"axis", int64_t{0}}, {"begin", int64_t{0}}, {"size", int64_t{64}}}, "f32[64]"},
    {"slice",
     {"f32[64,48]"},
     {{"axis", int64_t{0}}, {"begin", int64_t{48}}, {"size", int64_t{17}}},
     "error: [48, +17) is not inside the dim of 64"},
    {"slice",
     {"f32[64]"},
     {{"axis", int64_t{1}}, {"begin", int64_t{0}}, {"size", int64_t{1}}},
     "error: axis out of range"},
    {"all_reduce", {"f32[T,64]"}, {{"ranks", int64_t{2}}}, "f32[T,64]"},
    {"all_reduce", {"f32[T,64]"}, {{"ranks", int64_t{1}}}, "error: ranks must be 2..4096, is 1"},
    {"all_gather", {"f32[L,100]"}, {{"ranks", int64_t{3}}}, "f32[L,300]"},
    {"all_gather", {"f32[T,4,16]"}, {{"ranks", int64_t{2}}}, "error: operand 0 must have rank 2, has f32[T,4,16]"},
    {"embedding", {"f32[50,64]", "i32[T]"}, {{"begin", int64_t{50}}, {"vocab", int64_t{100}}}, "f32[T,64]"},
    {"embedding",
     {"f32[50,64]", "i32[T]"},
     {{"begin", int64_t{60}}, {"vocab", int64_t{100}}},
     "error: rows [60, +50) are not inside a vocab of 100"},
    {"embedding", {"f32[50,64]", "i32[T]"}, {{"begin", int64_t{0}}}, "error: begin and vocab go together"},
    {"tail_rows", {"f32[T,4,16]"}, {}, "error: operand 0 must have rank 2, has f32[T,4,16]"},

    // A fusion's results are its body's yields; its operands bind the body's arguments.
    {"fusion", {"f32[T,64]", "f32[32,64]"}, {}, "f32[T,32]", kLinearSilu},
    {"fusion", {"f32[T,64]"}, {}, "f32[T,48], f32[T,16]", kSplitTwoYields},
    {"fusion", {"f32[T,64]"}, {}, "error: has 1 operands but its body takes 2", kLinearSilu},
    {"fusion", {"f32[T,64]", "f32[32,64]", "f32[32]"}, {}, "error: has 3 operands but its body takes 2", kLinearSilu},
    {"fusion",
     {"f32[T,32]", "f32[32,64]"},
     {},
     "error: operand 0 is f32[T,32] but body argument %x is f32[T,64]",
     kLinearSilu},
    {"fusion",
     {"f32[T,64]", "q8_0[32,64]"},
     {},
     "error: operand 1 is q8_0[32,64] but body argument %w is f32[32,64]",
     kLinearSilu},
    {"fusion", {"f32[T,64]"}, {}, "error: has no body"},
};

TEST(ShapeRules, EveryCase) {
  for (const auto& c : kCases) {
    std::string operands;
    for (const auto& t : c.operands) operands += t + " ";
    EXPECT_EQ(apply(c), c.want) << c.kind << " " << operands;
  }
}

TEST(ShapeRules, EveryOpWithARuleHasCases) {
  std::set<std::string> covered;
  for (const auto& c : kCases) covered.insert(c.kind);
  for (const OpDef* def : all_ops())
    if (def->infer) {
      EXPECT_TRUE(covered.count(std::string(def->name))) << "no shape-rule cases for " << def->name;
    }
}

TEST(ShapeRules, DeclaredTypeOpsHaveNoRule) {
  // param and reshape declare their result type; the verifier checks reshape's.
  EXPECT_EQ(find_op("param")->infer, nullptr);
  EXPECT_EQ(find_op("reshape")->infer, nullptr);
  EXPECT_EQ(find_op("no_such_op"), nullptr);
}

}  // namespace
}  // namespace lmc::ir
