// The text form's contract, print(parse(text)) == text, checked on randomly built
// graphs: every op kind, attribute values of every kind (including awkward floats
// and strings that need escapes), names the builder had to make unique, multi-result
// ops, and fusion ops whose bodies are built the same way (names there are a scope of
// their own). A failure prints the seed and the text.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <set>

#include "ir/builder.h"
#include "ir/op_registry.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"

namespace lmc::ir {
namespace {

class RandomGraph {
 public:
  explicit RandomGraph(unsigned seed) : rng_(seed), g_("random"), b_(g_) {}

  Graph& build() {
    pos_ = g_.add_arg("positions", Type{DType::i32, {Dim::symbolic(Sym::T)}});
    seq_ = g_.add_arg("seq", Type{DType::i32, {Dim::symbolic(Sym::T)}});
    acts_.push_back(g_.add_arg(hint(), act(pick({32, 64, 96}))));
    int n = 5 + int(rng_() % 30);
    for (int i = 0; i < n; ++i) step();
    std::vector<Value*> outs;
    for (Value* v : acts_)
      if (rng_() % 3 == 0) outs.push_back(v);
    g_.set_outputs(outs);
    return g_;
  }

 private:
  std::mt19937 rng_;
  Graph g_;
  Builder b_;
  Value* pos_ = nullptr;
  Value* seq_ = nullptr;
  std::vector<Value*> acts_;  // f32[T, d] values to build on

  int64_t pick(std::initializer_list<int64_t> xs) { return xs.begin()[rng_() % xs.size()]; }
  static Type act(int64_t d) { return Type{DType::f32, {Dim::symbolic(Sym::T), Dim::of(d)}}; }
  static Type weight(DType t, int64_t n, int64_t k) { return Type{t, {Dim::of(n), Dim::of(k)}}; }
  static Type vec(int64_t n) { return Type{DType::f32, {Dim::of(n)}}; }
  int64_t width(const Value* v) { return v->type().dims.back().value; }
  Value* any_act() { return acts_[rng_() % acts_.size()]; }
  Value* same_type_as(const Value* x) {
    std::vector<Value*> same;
    for (Value* v : acts_)
      if (v->type() == x->type()) same.push_back(v);
    return same[rng_() % same.size()];
  }
  const char* activation() {
    static const char* kinds[] = {"silu", "gelu", "gelu_tanh", "tanh", "sigmoid"};
    return kinds[rng_() % 5];
  }

  // Few hints, so the builder has to make most names unique.
  std::string hint() {
    static const char* hints[] = {"v", "x", "h", "w", "a.b", "blk_0"};
    return hints[rng_() % 6];
  }

  double awkward_double() {
    switch (rng_() % 8) {
      case 0:
        return 0.0;
      case 1:
        return -0.0;
      case 2:
        return std::numeric_limits<double>::denorm_min();
      case 3:
        return std::numeric_limits<double>::max();
      case 4:
        return (rng_() % 2 ? 1 : -1) * std::numeric_limits<double>::infinity();
      default: {
        std::uniform_real_distribution<double> mant(-10, 10);
        return mant(rng_) * std::pow(10.0, int(rng_() % 61) - 30);
      }
    }
  }

  // An awkward value the shape rules accept where a finite value > 0 is required
  // (eps, rope base, softcap): the same spellings, without NaN, inf, negatives and zero.
  double awkward_positive() {
    double v = 0;
    while (!(std::isfinite(v) && v > 0)) v = std::fabs(awkward_double());
    return v;
  }

  std::string weight_name() {
    static const char* names[] = {"blk.0.attn_q.weight", "a \"quoted\" name", "back\\slash", "", "{=, :}"};
    return names[rng_() % 5];
  }

  Value* param(Type t) { return b_.param(weight_name(), std::move(t), hint()); }

  void step() {
    Value* x = any_act();
    int64_t d = width(x);
    switch (rng_() % 17) {
      case 0:
        acts_.push_back(b_.op(activation(), {x}, {}, hint()));
        break;
      case 1:
        acts_.push_back(b_.op("scale", {x}, {{"factor", awkward_double()}}, hint()));
        break;
      case 2: {
        Value* y = rng_() % 3 ? same_type_as(x) : param(vec(d));  // or one row for every row
        acts_.push_back(b_.op(pick({0, 1}) ? "add" : "mul", {x, y}, {}, hint()));
        break;
      }
      case 3: {
        AttrMap a{{"eps", awkward_positive()}};
        if (rng_() % 2) a["offset"] = 1.0;
        acts_.push_back(b_.op("rms_norm", {x, param(vec(pick({16, d})))}, a, hint()));
        break;
      }
      case 4:
        acts_.push_back(b_.op("layer_norm", {x, param(vec(d)), param(vec(d))}, {{"eps", 1e-5}}, hint()));
        break;
      case 5: {
        int64_t n = pick({32, 64, 128});
        Value* w = param(weight(pick({0, 1}) ? DType::f32 : DType::q8_0, n, d));
        Value* y = b_.op("linear", {x, w}, {}, hint());
        if (rng_() % 2) y = b_.op("add", {y, param(vec(n))}, {}, hint());  // a bias
        acts_.push_back(y);
        break;
      }
      case 6: {
        if (d < 32) break;
        int64_t first = 16 * (1 + rng_() % (d / 16 - 1));
        auto parts = b_.create("split", {x}, {{"axis", int64_t{1}}, {"sizes", std::vector<int64_t>{first, d - first}}},
                               {hint(), hint()});
        acts_.insert(acts_.end(), parts.begin(), parts.end());
        break;
      }
      case 7:
        acts_.push_back(b_.op("concat", {x, any_act()}, {{"axis", int64_t{1}}}, hint()));
        break;
      case 8:
        acts_.push_back(b_.op("rope", {x, pos_},
                              {{"head_dim", int64_t{16}},
                               {"base", awkward_positive()},
                               {"style", std::string(pick({0, 1}) ? "neox" : "normal")}},
                              hint()));
        break;
      case 9:
        b_.op("tail_rows", {x}, {}, hint());
        b_.op("avg_pool", {x}, {{"side", int64_t{4 << (rng_() % 2)}}, {"window", int64_t{2}}}, hint());
        // A sharded graph's collectives: partial sums, and logits columns side by side.
        acts_.push_back(
            b_.op(rng_() % 2 ? "all_reduce" : "all_gather", {x}, {{"ranks", int64_t(2 + rng_() % 3)}}, hint()));
        break;
      case 10: {
        Value* w = param(weight(DType::f32, pick({32, 64}), pick({32, 64})));
        if (rng_() % 2) {
          b_.op("quantize", {w}, {{"dtype", DType::q8_0}}, hint());
        } else {
          b_.op("slice", {w}, {{"axis", int64_t(rng_() % 2)}, {"begin", int64_t{16}}, {"size", int64_t{16}}}, hint());
        }
        break;
      }
      case 11:
        b_.declared("reshape", {x}, Type{DType::f32, {Dim::symbolic(Sym::T), Dim::of(d / 16), Dim::of(16)}}, {},
                    hint());
        break;
      case 12: {
        Value* cache = g_.add_arg(g_.unique_name(hint()), Type{DType::f32, {Dim::of(pick({8, 64})), Dim::of(16)}});
        Value* k = b_.op("linear", {x, param(weight(DType::f32, 16, d))}, {}, hint());
        Value* kc = b_.op("kv_write", {cache, k, pos_, seq_}, {}, hint());
        AttrMap a{
            {"n_heads", d / 16}, {"n_kv_heads", int64_t{1}}, {"head_dim", int64_t{16}}, {"scale", awkward_double()}};
        if (rng_() % 2) a["window"] = int64_t(rng_() % 100);
        if (!a.count("window") && rng_() % 2) a["causal"] = int64_t{0};  // an image's patches
        if (rng_() % 2) a["softcap"] = awkward_positive();
        acts_.push_back(b_.op("attention", {x, kc, kc, pos_, seq_}, a, hint()));
        break;
      }
      case 13: {
        Value* tokens = g_.add_arg(g_.unique_name("tokens"), Type{DType::i32, {Dim::symbolic(Sym::T)}});
        acts_.push_back(
            b_.op("embedding", {param(weight(pick({0, 1}) ? DType::f16 : DType::q8_0, 100, d)), tokens}, {}, hint()));
        break;
      }
      case 14:
      case 15:
        fusion(x);
        break;
      case 16:
        moe(x);
        break;
    }
  }

  // A mixture-of-experts feed-forward: router, the experts' up and down projections, the sum.
  void moe(Value* x) {
    int64_t d = width(x), e = pick({4, 8}), f = pick({16, 32});
    Value* logits = b_.op("linear", {x, param(weight(DType::f32, e, d))}, {}, hint());
    AttrMap a{{"k", int64_t(1 + rng_() % 2)}, {"scoring", std::string(pick({0, 1}) ? "softmax" : "sigmoid")}};
    if (rng_() % 2) a["norm_topk"] = int64_t(rng_() % 2);
    auto routed = b_.create("moe_route", {logits}, a, {hint(), hint()});
    Value* up = b_.op("expert_linear", {x, param(Type{DType::f32, {Dim::of(e), Dim::of(f), Dim::of(d)}}), routed[0]},
                      {}, hint());
    Value* down = b_.op("expert_linear", {up, param(Type{DType::f32, {Dim::of(e), Dim::of(d), Dim::of(f)}}), routed[0]},
                        {}, hint());
    acts_.push_back(b_.op("expert_sum", {down, routed[1]}, {}, hint()));
  }

  // A fusion of operands of the graph: around a linear (a norm or act(gate)*up
  // before it, a bias, residual or activation after it), or add -> rms_norm
  // yielding both values. Its body's argument and value names repeat the graph's.
  void fusion(Value* x) {
    int64_t d = width(x);
    auto body = std::make_unique<Graph>("body");
    Builder in(*body);
    std::vector<Value*> operands;
    auto bind = [&](Value* outer) {
      operands.push_back(outer);
      return body->add_arg(body->unique_name(hint()), outer->type());
    };
    Value* h = bind(x);
    std::vector<Value*> yields;
    if (rng_() % 3 == 0) {
      Value* s = in.op("add", {h, bind(same_type_as(x))}, {}, hint());
      yields = {s, in.op("rms_norm", {s, bind(param(vec(d)))}, {{"eps", awkward_positive()}}, hint())};
    } else {
      int64_t k = d;
      switch (rng_() % 3) {
        case 0:
          h = in.op("rms_norm", {h, bind(param(vec(d)))}, {{"eps", 1e-6}}, hint());
          break;
        case 1: {
          k = d / 2;
          auto gu =
              in.create("split", {h}, {{"axis", int64_t{1}}, {"sizes", std::vector<int64_t>{k, k}}}, {hint(), hint()});
          h = in.op("mul", {in.op(activation(), {gu[0]}, {}, hint()), gu[1]}, {}, hint());
          break;
        }
        default:
          break;
      }
      int64_t n = pick({32, 64, 96});
      Value* y = in.op("linear", {h, bind(param(weight(pick({0, 1}) ? DType::f32 : DType::q8_0, n, k)))}, {}, hint());
      if (rng_() % 2) y = in.op("add", {y, bind(param(vec(n)))}, {}, hint());
      for (Value* r : acts_)
        if (r->type() == y->type() && rng_() % 2) {
          y = in.op("add", {y, bind(r)}, {}, hint());
          break;
        }
      if (rng_() % 2) y = in.op(activation(), {y}, {}, hint());
      yields = {y};
    }
    body->set_outputs(yields);
    auto op = std::make_unique<Op>("fusion", operands, AttrMap{});
    for (Value* y : yields) op->add_result(hint(), y->type());
    op->set_body(std::move(body));
    Op* f = g_.append(std::move(op));
    for (size_t i = 0; i < f->num_results(); ++i) acts_.push_back(f->result(i));
  }
};

TEST(RoundTripProperty, PrintParsePrintIsIdentity) {
  std::set<std::string> kinds;  // every op kind the graphs held, bodies included
  for (unsigned seed = 1; seed <= 300; ++seed) {
    RandomGraph rg(seed);
    Graph& g = rg.build();
    ASSERT_NO_THROW(verify(g)) << "seed " << seed << ": the builder made an invalid graph\n" << print(g);
    std::string text = print(g);
    std::unique_ptr<Graph> back;
    ASSERT_NO_THROW(back = parse(text, "random.lir")) << "seed " << seed << "\n" << text;
    ASSERT_NO_THROW(verify(*back, "random.lir")) << "seed " << seed << "\n" << text;
    EXPECT_EQ(print(*back), text) << "seed " << seed;
    ASSERT_EQ(back->ops().size(), g.ops().size());
    for (const auto& op : g.ops()) {
      kinds.insert(op->kind());
      if (op->body())
        for (const auto& inner : op->body()->ops()) kinds.insert(inner->kind());
    }
  }
  for (const OpDef* def : all_ops())
    EXPECT_TRUE(kinds.count(std::string(def->name))) << "never generated: " << def->name;
}

TEST(RoundTripProperty, FloatsKeepTheirBits) {
  // format_double writes the shortest text that reads back to the same double.
  std::mt19937_64 rng(7);
  for (int i = 0; i < 10000; ++i) {
    double v = std::bit_cast<double>(rng());
    if (!std::isfinite(v)) continue;
    auto g = parse("graph @f(%x: f32[T,8]) {\n  %y = scale %x {factor = " + format_double(v) +
                   "} : f32[T,8]\n  return %y\n}\n");
    EXPECT_EQ(std::bit_cast<uint64_t>(g->ops().front()->attr_float("factor")), std::bit_cast<uint64_t>(v))
        << format_double(v);
  }
}

}  // namespace
}  // namespace lmc::ir
