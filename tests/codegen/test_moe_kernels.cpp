// The mixture-of-experts kernels: moe_route against a plain top-k over softmax or sigmoid
// scores (ids exact, gates within 1e-6); expert_linear, for f32, q8_0, q8_0x16 panels and
// q4_k experts with one input per row or per slot, at one row (pairs' columns) and at 3, 10
// and 40 rows (pairs grouped by expert, several groups per expert), bit-for-bit the plain
// linear kernel of one row on the named expert's weight (the reference of that kernel is
// the linear tests'), and against reference_linear for f32; an id outside the experts gives
// zeros; expert_sum against the weighted sum. 1 or 2 threads.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "tests/codegen/kernel_test_util.h"
#include "tests/codegen/reference_kernels.h"

namespace lmc::test {
namespace {

struct Routed {
  std::vector<int32_t> ids;
  std::vector<double> gates;
};

Routed reference_route(const std::vector<float>& logits, int64_t R, int64_t E, int64_t k, bool sigmoid, bool norm) {
  Routed out;
  for (int64_t r = 0; r < R; ++r) {
    std::vector<double> s(E);
    const float* l = logits.data() + r * E;
    double mx = *std::max_element(l, l + E), sum = 0;
    for (int64_t e = 0; e < E; ++e) s[e] = sigmoid ? 1 / (1 + std::exp(-double(l[e]))) : std::exp(l[e] - mx);
    for (int64_t e = 0; e < E; ++e) sum += s[e];
    if (!sigmoid)
      for (double& v : s) v /= sum;
    std::vector<int32_t> order(E);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return s[a] > s[b]; });
    double total = 0;
    for (int64_t j = 0; j < k; ++j) total += s[order[j]];
    for (int64_t j = 0; j < k; ++j) {
      out.ids.push_back(order[j]);
      out.gates.push_back(norm ? s[order[j]] / total : s[order[j]]);
    }
  }
  return out;
}

codegen::KernelDesc route_desc(int64_t E, int64_t k, const char* scoring, int norm) {
  codegen::KernelDesc d;
  d.kind = "moe_route";
  d.operands = {make_type(ir::DType::f32, {T(), D(E)})};
  d.results = {make_type(ir::DType::i32, {T(), D(k)}), make_type(ir::DType::f32, {T(), D(k)})};
  d.attrs["k"] = k;
  d.attrs["scoring"] = std::string(scoring);
  d.attrs["norm_topk"] = int64_t{norm};
  return d;
}

TEST(MoeKernels, RouteTakesTheTopKScores) {
  uint32_t seed = 3;
  for (const char* scoring : {"softmax", "sigmoid"}) {
    for (int norm : {0, 1}) {
      for (auto [E, k] : {std::pair<int64_t, int64_t>{8, 2}, {64, 8}, {128, 8}, {60, 4}}) {
        LoadedKernel kern = load_kernel(route_desc(E, k, scoring, norm));
        for (int64_t R : {1, 5}) {
          auto logits = random_floats(R * E, seed++, -4.0f, 4.0f);
          std::vector<int32_t> ids(R * k, -7);
          std::vector<float> gates(R * k, NAN);
          int64_t syms[ir::kNumSyms] = {R, 1};
          run_kernel(kern, {logits.data(), ids.data(), gates.data()}, syms, 2);
          Routed want = reference_route(logits, R, E, k, std::string(scoring) == "sigmoid", norm);
          std::string what = std::string(scoring) + " norm=" + std::to_string(norm) + " E=" + std::to_string(E);
          EXPECT_EQ(ids, want.ids) << what;
          EXPECT_EQ(mismatches(gates, want.gates, 1e-6, 1e-7), "") << what;
        }
      }
    }
  }
}

// Equal scores: the lower index first, and k distinct experts even from NaN logits.
TEST(MoeKernels, RouteBreaksTiesByIndex) {
  LoadedKernel kern = load_kernel(route_desc(6, 3, "softmax", 1));
  std::vector<float> logits = {1, 2, 2, 0, 2, 1, NAN, NAN, NAN, NAN, NAN, NAN};
  std::vector<int32_t> ids(6, -7);
  std::vector<float> gates(6);
  int64_t syms[ir::kNumSyms] = {2, 1};
  run_kernel(kern, {logits.data(), ids.data(), gates.data()}, syms, 1);
  EXPECT_EQ(std::vector<int32_t>(ids.begin(), ids.begin() + 3), (std::vector<int32_t>{1, 2, 4}));
  std::vector<int32_t> nan_ids(ids.begin() + 3, ids.end());
  std::sort(nan_ids.begin(), nan_ids.end());
  EXPECT_EQ(std::adjacent_find(nan_ids.begin(), nan_ids.end()), nan_ids.end());
  for (int32_t id : nan_ids) EXPECT_TRUE(id >= 0 && id < 6);
}

struct Experts {
  ir::DType wtype;
  std::vector<uint8_t> bytes;  // E weights [N, K], back to back
  int64_t expert_bytes;
};

Experts make_experts(ir::DType wtype, int64_t E, int64_t N, int64_t K, uint32_t seed) {
  Experts x{wtype, {}, ir::dtype_row_bytes(wtype, K) * N};
  if (wtype == ir::DType::f32) {
    auto f = random_floats(E * N * K, seed);
    x.bytes.resize(f.size() * 4);
    std::memcpy(x.bytes.data(), f.data(), x.bytes.size());
  } else if (wtype == ir::DType::q8_0 || wtype == ir::DType::q8_0x16) {
    auto f = random_floats(E * N * K, seed);
    x.bytes = quantize_q8_0(f.data(), E * N, K);
    if (wtype == ir::DType::q8_0x16) x.bytes = to_panels(x.bytes, wtype, E * N, K);
  } else {
    x.bytes = random_ggml_blocks(E * N, K, wtype, seed);
  }
  return x;
}

codegen::KernelDesc expert_desc(ir::DType wtype, int64_t E, int64_t N, int64_t K, int64_t k, bool per_slot) {
  codegen::KernelDesc d;
  d.kind = "expert_linear";
  d.operands = {per_slot ? make_type(ir::DType::f32, {T(), D(k), D(K)}) : make_type(ir::DType::f32, {T(), D(K)}),
                make_type(wtype, {D(E), D(N), D(K)}), make_type(ir::DType::i32, {T(), D(k)})};
  d.results = {make_type(ir::DType::f32, {T(), D(k), D(N)})};
  return d;
}

codegen::KernelDesc plain_linear(ir::DType wtype, int64_t N, int64_t K) {
  codegen::KernelDesc d;
  d.kind = "linear";
  d.operands = {make_type(ir::DType::f32, {T(), D(K)}), make_type(wtype, {D(N), D(K)})};
  d.results = {make_type(ir::DType::f32, {T(), D(N)})};
  return d;
}

TEST(MoeKernels, ExpertLinearIsTheLinearOfTheNamedExpert) {
  const int64_t E = 6, N = 48, K = 256, k = 2;
  uint32_t seed = 11;
  for (ir::DType wtype : {ir::DType::f32, ir::DType::q8_0, ir::DType::q8_0x16, ir::DType::q4_k}) {
    Experts w = make_experts(wtype, E, N, K, seed++);
    LoadedKernel plain = load_kernel(plain_linear(wtype, N, K));
    for (bool per_slot : {false, true}) {
      LoadedKernel kern = load_kernel(expert_desc(wtype, E, N, K, k, per_slot));
      for (int64_t R : {1, 3, 10, 40}) {
        auto x = random_floats((per_slot ? R * k : R) * K, seed++, -2.0f, 2.0f);
        std::vector<int32_t> ids;
        for (int64_t i = 0; i < R * k; ++i) ids.push_back(static_cast<int32_t>((i * 5 + R) % E));
        for (int threads : {1, 2}) {
          std::vector<float> y(R * k * N, NAN);
          int64_t syms[ir::kNumSyms] = {R, 1};
          run_kernel(kern, {x.data(), w.bytes.data(), ids.data(), y.data()}, syms, threads);
          for (int64_t pair = 0; pair < R * k; ++pair) {
            const float* row = x.data() + (per_slot ? pair : pair / k) * K;
            std::vector<float> one(N, NAN);
            int64_t one_row[ir::kNumSyms] = {1, 1};
            run_kernel(plain, {const_cast<float*>(row), w.bytes.data() + ids[pair] * w.expert_bytes, one.data()},
                       one_row, 1);
            ASSERT_TRUE(std::equal(one.begin(), one.end(), y.begin() + pair * N))
                << ir::dtype_name(wtype) << (per_slot ? " per slot" : " shared") << " R=" << R << " pair " << pair
                << " threads=" << threads;
            if (wtype != ir::DType::f32) continue;
            std::vector<double> xr(row, row + K);
            auto want = reference_linear(xr, w.bytes.data() + ids[pair] * w.expert_bytes, wtype, 1, K, N);
            EXPECT_EQ(mismatches(one, want, 1e-5, 1e-5), "") << "pair " << pair;
          }
        }
      }
    }
  }
}

// One row (pairs' columns) and three (by expert): the bad ids' rows are zeros, the good
// one's is its expert's.
TEST(MoeKernels, AnIdOutsideTheExpertsGivesZeros) {
  const int64_t E = 4, N = 16, K = 64, k = 2;
  Experts w = make_experts(ir::DType::f32, E, N, K, 5);
  LoadedKernel kern = load_kernel(expert_desc(ir::DType::f32, E, N, K, k, false));
  for (int64_t R : {1, 3}) {
    auto x = random_floats(R * K, 6);
    std::vector<int32_t> ids(R * k, -1);
    ids[0] = E;
    ids.back() = 1;
    std::vector<float> y(R * k * N, NAN);
    int64_t syms[ir::kNumSyms] = {R, 1};
    run_kernel(kern, {x.data(), w.bytes.data(), ids.data(), y.data()}, syms, 1);
    EXPECT_TRUE(std::all_of(y.begin(), y.end() - N, [](float v) { return v == 0.0f; })) << "R=" << R;
    EXPECT_TRUE(std::none_of(y.end() - N, y.end(), [](float v) { return v == 0.0f || std::isnan(v); })) << "R=" << R;
  }
}

TEST(MoeKernels, ExpertSumWeighsEachSlot) {
  uint32_t seed = 21;
  for (auto [k, Dm] : {std::pair<int64_t, int64_t>{2, 64}, {8, 100}, {1, 7}}) {
    codegen::KernelDesc d;
    d.kind = "expert_sum";
    d.operands = {make_type(ir::DType::f32, {T(), D(k), D(Dm)}), make_type(ir::DType::f32, {T(), D(k)})};
    d.results = {make_type(ir::DType::f32, {T(), D(Dm)})};
    LoadedKernel kern = load_kernel(d);
    for (int64_t R : {1, 4}) {
      auto y = random_floats(R * k * Dm, seed++);
      auto g = random_floats(R * k, seed++, 0.0f, 1.0f);
      std::vector<float> out(R * Dm, NAN);
      int64_t syms[ir::kNumSyms] = {R, 1};
      run_kernel(kern, {y.data(), g.data(), out.data()}, syms, 2);
      std::vector<double> want(R * Dm, 0.0);
      for (int64_t r = 0; r < R; ++r)
        for (int64_t j = 0; j < k; ++j)
          for (int64_t c = 0; c < Dm; ++c) want[r * Dm + c] += double(g[r * k + j]) * y[(r * k + j) * Dm + c];
      EXPECT_EQ(mismatches(out, want, 1e-6, 1e-6), "") << "k=" << k << " D=" << Dm << " R=" << R;
    }
  }
}

}  // namespace
}  // namespace lmc::test
