// Sizes near the int64 limits: every shape rule, Type's sizes and the builder reject
// them with an lmc::Error and never compute a wrapped value. Each property test draws
// values around the places where int64 arithmetic wraps (2^31, 2^32, 2^62, 2^63) and
// checks the result against 128-bit arithmetic.
#include <gtest/gtest.h>

#include <limits>
#include <random>

#include "ir/builder.h"
#include "ir/op_registry.h"
#include "support/checked_math.h"
#include "support/error.h"

namespace lmc::ir {
namespace {

constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

// A value near one of int64's wrap points, either sign.
int64_t near_limit(std::mt19937_64& rng) {
  static const int64_t bases[] = {0, int64_t{1} << 31, int64_t{1} << 32, int64_t{1} << 62, kMax};
  int64_t base = bases[rng() % std::size(bases)];
  int64_t v = base - static_cast<int64_t>(rng() % 1024);
  return rng() % 4 == 0 ? -v : v;
}

// A positive value near a wrap point.
int64_t positive_near_limit(std::mt19937_64& rng) {
  int64_t v = near_limit(rng);
  return v == std::numeric_limits<int64_t>::min() ? kMax : std::max<int64_t>(1, v < 0 ? -v : v);
}

bool fits(__int128 v) { return v >= std::numeric_limits<int64_t>::min() && v <= kMax; }

TEST(CheckedMath, AddAndMulAreExactOrThrow) {
  std::mt19937_64 rng(17);
  for (int i = 0; i < 100000; ++i) {
    int64_t a = near_limit(rng), b = near_limit(rng);
    __int128 sum = __int128{a} + b, product = __int128{a} * b;
    if (fits(sum))
      EXPECT_EQ(checked_add(a, b, "x"), static_cast<int64_t>(sum));
    else
      EXPECT_THROW(checked_add(a, b, "x"), Error);
    if (fits(product))
      EXPECT_EQ(checked_mul(a, b, "x"), static_cast<int64_t>(product));
    else
      EXPECT_THROW(checked_mul(a, b, "x"), Error);
  }
}

TEST(CheckedMath, SizesOutsideOneTo2Pow62AreRejected) {
  EXPECT_EQ(checked_size(1, "dim"), 1);
  EXPECT_EQ(checked_size(kMaxSize, "dim"), kMaxSize);
  for (int64_t bad : {int64_t{0}, int64_t{-1}, kMaxSize + 1, kMax}) EXPECT_THROW(checked_size(bad, "dim"), Error);
}

TEST(CheckedSizes, TypeNumelAndBytesAreExactOrThrow) {
  std::mt19937_64 rng(18);
  for (int i = 0; i < 20000; ++i) {
    Type t{DType::f32, {}};
    __int128 numel = 1;
    bool wraps = false;  // once set, numel is no longer meaningful (128 bits wrap too)
    for (int d = 0, rank = 1 + static_cast<int>(rng() % 3); d < rank; ++d) {
      int64_t v = positive_near_limit(rng);
      t.dims.push_back(Dim::of(v));
      if (!wraps) numel *= v;
      wraps = wraps || !fits(numel);
    }
    if (wraps) {
      EXPECT_THROW(t.numel(nullptr), Error) << t.str();
      EXPECT_THROW(t.bytes(nullptr), Error) << t.str();
    } else {
      EXPECT_EQ(t.numel(nullptr), static_cast<int64_t>(numel)) << t.str();
      if (fits(numel * 4))
        EXPECT_EQ(t.bytes(nullptr), static_cast<int64_t>(numel * 4)) << t.str();
      else
        EXPECT_THROW(t.bytes(nullptr), Error) << t.str();
    }
    if (wraps || numel * 4 > kMaxSize)
      EXPECT_THROW(t.check_size(), Error) << t.str();
    else
      EXPECT_NO_THROW(t.check_size()) << t.str();
  }
}

TEST(CheckedSizes, SymbolsBoundNearTheLimitThrow) {
  Type t{DType::f32, {Dim::symbolic(Sym::T), Dim::of(int64_t{1} << 40)}};
  const int64_t syms[kNumSyms] = {int64_t{1} << 30, 1};
  EXPECT_THROW(t.numel(syms), Error);
}

// The shape rule's result for operands of the given types, or the error.
std::string infer(const std::string& kind, std::vector<Type> operand_types, AttrMap attrs) {
  std::vector<std::unique_ptr<Value>> values;
  std::vector<Value*> operands;
  for (auto& t : operand_types) {
    values.push_back(std::make_unique<Value>("v", t, nullptr, 0));
    operands.push_back(values.back().get());
  }
  Op op(kind, operands, std::move(attrs));
  try {
    std::string out;
    for (const Type& t : find_op(kind)->infer(op)) out += t.str();
    return out;
  } catch (const Error& e) {
    return std::string("error: ") + e.what();
  }
}

Type f32(std::vector<int64_t> dims) {
  Type t{DType::f32, {}};
  for (int64_t d : dims) t.dims.push_back(Dim::of(d));
  return t;
}

// Split sizes whose sum wraps to exactly the split dim once passed the rule, and the
// split kernel then copied far past its buffers.
TEST(CheckedSizes, SplitSizesWhoseSumWrapsAreRejected) {
  EXPECT_EQ(infer("split", {f32({4, 64})}, {{"axis", int64_t{1}}, {"sizes", std::vector<int64_t>{kMax, kMax, 66}}}),
            "error: sum of sizes overflows int64");
  std::mt19937_64 rng(19);
  for (int i = 0; i < 20000; ++i) {
    std::vector<int64_t> sizes;
    __int128 sum = 0;
    for (int k = 0, n = 2 + static_cast<int>(rng() % 3); k < n; ++k) {
      sizes.push_back(positive_near_limit(rng));
      sum += sizes.back();
    }
    const auto wrapped = static_cast<int64_t>(static_cast<uint64_t>(sum));  // what int64 addition gave
    if (fits(sum) || wrapped <= 0) continue;
    std::string got = infer("split", {f32({4, wrapped})}, {{"axis", int64_t{1}}, {"sizes", sizes}});
    EXPECT_EQ(got, "error: sum of sizes overflows int64");
  }
}

// n_heads * head_dim that wraps to the query width once passed, and LLVM aborted on the kernel.
TEST(CheckedSizes, AttentionHeadProductsThatWrapAreRejected) {
  std::mt19937_64 rng(20);
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    int64_t heads = positive_near_limit(rng), head_dim = 1 + static_cast<int64_t>(rng() % 64);
    __int128 width = __int128{heads} * head_dim;
    const auto wrapped = static_cast<int64_t>(static_cast<uint64_t>(width));
    if (fits(width) || wrapped <= 0) continue;
    AttrMap attrs{{"n_heads", heads}, {"n_kv_heads", heads}, {"head_dim", head_dim}, {"scale", 1.0}};
    Type ids{DType::i32, {Dim::of(4)}};
    std::string got = infer("attention", {f32({4, wrapped}), f32({8, wrapped}), f32({8, wrapped}), ids, ids}, attrs);
    EXPECT_EQ(got, "error: n_heads * head_dim overflows int64");
    ++checked;
  }
  EXPECT_GT(checked, 100);
}

TEST(CheckedSizes, ConcatenatedDimsThatOverflowAreRejected) {
  EXPECT_EQ(infer("concat", {f32({kMax, 1}), f32({kMax, 1})}, {{"axis", int64_t{0}}}),
            "error: concatenated dim overflows int64");
}

TEST(CheckedSizes, BuilderBoundsEveryType) {
  Graph g("b");
  Builder b(g);
  Value* huge = g.add_arg("x", f32({int64_t{1} << 40, int64_t{1} << 40}));
  EXPECT_THROW(b.param("w", f32({int64_t{1} << 40, int64_t{1} << 40}), "w"), Error);
  try {
    b.op("silu", {huge}, {}, "y");
    ADD_FAILURE() << "a result past 2^62 bytes was built";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()),
              "builder: op 'silu': type f32[1099511627776,1099511627776] is larger than 2^62 bytes");
  }
}

TEST(CheckedSizes, BuilderChecksOperandCountsBeforeTheRule) {
  Graph g("b");
  Builder b(g);
  Value* x = g.add_arg("x", f32({4, 64}));
  try {
    b.op("linear", {x}, {}, "y");
    ADD_FAILURE() << "linear with one operand was built";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), "builder: op 'linear' has 1 operands, expects 2 or more");
  }
}

}  // namespace
}  // namespace lmc::ir
