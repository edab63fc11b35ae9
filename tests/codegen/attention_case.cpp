#include "tests/codegen/attention_case.h"

#include <algorithm>
#include <cmath>

#include "tests/codegen/kernel_test_util.h"

namespace lmc::test {

namespace {

// The caches of every sequence, back to back, each holding keys/values 0 .. p of its
// rows' last position p (slot j % C), as after kv_write.
std::vector<float> ring_caches(const Case& c, const Rows& rows, uint32_t seed, float spread) {
  int64_t width = c.kv_heads * c.head_dim;
  std::vector<float> cache(rows.sequences() * c.slots * width, NAN);
  for (int64_t s = 0; s < rows.sequences(); ++s) {
    int64_t filled = 0;
    for (int64_t t = 0; t < rows.count(); ++t)
      if (rows.seqs[t] == s) filled = std::max<int64_t>(filled, rows.positions[t] + 1);
    for (int64_t j = 0; j < filled; ++j) {
      auto row = random_floats(width, seed * 7919u + static_cast<uint32_t>(s * 100003 + j), -spread, spread);
      std::copy(row.begin(), row.end(), cache.begin() + (s * c.slots + j % c.slots) * width);
    }
  }
  return cache;
}

StoredCache stored(const std::vector<float>& cache, int64_t width, ir::DType dtype) {
  int64_t rows = static_cast<int64_t>(cache.size()) / width;
  StoredCache s{pack_cache_rows(cache.data(), rows, width, dtype), {}};
  s.values = unpack_cache_rows(s.bytes.data(), rows, width, dtype);
  return s;
}

}  // namespace

codegen::KernelDesc desc(const Case& c) {
  codegen::KernelDesc d;
  d.kind = "attention";
  ir::Type q = make_type(ir::DType::f32, {T(), D(c.heads * c.head_dim)});
  ir::Dim rows = c.symbolic ? ir::Dim::symbolic(ir::Sym::C) : D(c.slots);
  ir::Type ids = make_type(ir::DType::i32, {T()});
  ir::Dim width = D(c.kv_heads * c.head_dim);
  d.operands = {q, make_type(c.k, {rows, width}), make_type(c.v, {rows, width}), ids, ids};
  if (c.key_ends) d.operands.push_back(ids);
  d.results = {q};
  d.attrs["n_heads"] = c.heads;
  d.attrs["n_kv_heads"] = c.kv_heads;
  d.attrs["head_dim"] = c.head_dim;
  d.attrs["scale"] = 1.0 / std::sqrt(static_cast<double>(c.head_dim));
  if (c.window) d.attrs["window"] = c.window;
  if (c.softcap > 0) d.attrs["softcap"] = c.softcap;
  if (c.bidirectional) d.attrs["causal"] = int64_t{0};
  return d;
}

Rows run_of(int64_t rows, int32_t pos) {
  Rows r;
  for (int64_t t = 0; t < rows; ++t) {
    r.positions.push_back(pos + static_cast<int32_t>(t));
    r.seqs.push_back(0);
  }
  return r;
}

Inputs inputs(const Case& c, Rows& rows, uint32_t seed) {
  int64_t width = c.kv_heads * c.head_dim;
  Inputs in{
      random_floats(rows.count() * c.heads * c.head_dim, seed, -2.0f, 2.0f),
      stored(ring_caches(c, rows, seed + 1, 2.0f), width, c.k),
      stored(ring_caches(c, rows, seed + 2, 1.0f), width, c.v),
      {},
      c.scrambled_pages ? PagedCaches(rows.sequences(), c.slots, 2, seed) : PagedCaches(rows.sequences(), c.slots)};
  if (c.symbolic) {
    in.kc.bytes = in.pages.to_pool(in.kc.bytes, ir::dtype_row_bytes(c.k, width));
    in.vc.bytes = in.pages.to_pool(in.vc.bytes, ir::dtype_row_bytes(c.v, width));
  }
  in.ref = {in.q.data(),
            in.kc.values.data(),
            in.vc.values.data(),
            rows.positions.data(),
            rows.seqs.data(),
            rows.count(),
            c.slots,
            c.heads,
            c.kv_heads,
            c.head_dim,
            1.0 / std::sqrt(static_cast<double>(c.head_dim)),
            c.window,
            c.softcap,
            c.bidirectional,
            c.key_ends ? rows.key_ends.data() : nullptr};
  return in;
}

int64_t Rows::sequences() const { return *std::max_element(seqs.begin(), seqs.end()) + 1; }

std::vector<void*> Inputs::args(Rows& rows, std::vector<float>& o) {
  if (!rows.key_ends.empty())
    return {q.data(), kc.data(),    vc.data(), rows.positions.data(), rows.seqs.data(), rows.key_ends.data(),
            o.data(), pages.table()};
  return {q.data(), kc.data(), vc.data(), rows.positions.data(), rows.seqs.data(), o.data(), pages.table()};
}

}  // namespace lmc::test
