#include "driver/graph_arguments.h"

#include <algorithm>

#include "driver/seeded_random.h"
#include "runtime/step_rows.h"
#include "support/error.h"

namespace lmc::driver {

namespace {

constexpr int64_t kDefaultContext = 512;  // as a graph compiled alone (driver/graph_input.h)

int64_t& value_of(runtime::SymbolValues& s, ir::Sym which) { return s[static_cast<size_t>(which)]; }

void note_symbols(const ir::Type& t, bool used[ir::kNumSyms]) {
  for (const ir::Dim& d : t.dims)
    if (d.sym) used[static_cast<int>(*d.sym)] = true;
}

// The symbols any type of `g` (arguments, results, fusion bodies) uses.
void used_symbols(const ir::Graph& g, bool used[ir::kNumSyms]) {
  for (const auto& a : g.args()) note_symbols(a->type(), used);
  for (const auto& op : g.ops()) {
    for (size_t r = 0; r < op->num_results(); ++r) note_symbols(op->result(r)->type(), used);
    if (op->body()) used_symbols(*op->body(), used);
  }
}

std::string arg_names(const ir::Graph& g) {
  std::string s;
  for (const auto& a : g.args()) s += (s.empty() ? "%" : ", %") + a->name();
  return s.empty() ? "none" : s;
}

HostArray generated(const ir::Value& arg, const runtime::SymbolValues& syms, const runtime::RowLimits& limits,
                    uint64_t seed) {
  HostArray a;
  a.dtype = host_dtype(arg.type());
  a.shape = bound_shape(arg.type(), syms.data());
  const auto n = static_cast<size_t>(a.numel());
  SeededRandom rng(seed, arg.name());
  if (a.dtype == ir::DType::f32) {
    a.f32.resize(n);
    for (float& x : a.f32) x = rng.normal();
    return a;
  }
  a.i32.resize(n);  // a row id: seq is 0
  if (arg.name() == "tokens")
    for (int32_t& t : a.i32) t = static_cast<int32_t>(rng.below(limits.tokens));
  if (arg.name() == "positions" || arg.name() == "key_ends")  // causal: each row's own position
    for (size_t t = 0; t < n; ++t) a.i32[t] = static_cast<int32_t>(t);
  return a;
}

void check_given(const ir::Value& arg, const GivenArray& given, const runtime::SymbolValues& syms) {
  const HostArray& v = given.values;
  const ir::Type& t = arg.type();
  if (v.dtype != host_dtype(t))
    throw error_at(given.path, std::string("holds ") + (v.dtype == ir::DType::i32 ? "integers" : "floats") +
                                   ", but argument %" + arg.name() + " is " + t.str());
  const std::vector<int64_t> want = bound_shape(t, syms.data());
  if (v.shape != want)
    throw error_at(given.path, "has shape " + shape_text(v.shape) + ", but argument %" + arg.name() + " is " + t.str() +
                                   ", " + shape_text(want) + " with the symbols' values");
}

void check_row_ids(const ir::Graph& g, const std::string& path) {
  for (const auto& arg : g.args())
    if (arg->type().dtype == ir::DType::i32 && !runtime::is_row_ids(*arg))
      throw error_at(path, "argument %" + arg->name() +
                               " is i32: the kernels index tables and caches with ids "
                               "unchecked, so a run takes only tokens, positions and seq");
}

runtime::RowLimits limits_of(const ir::Graph& g, const runtime::SymbolValues& syms) {
  return runtime::row_limits(g, syms[static_cast<size_t>(ir::Sym::C)], 1);
}

}  // namespace

runtime::SymbolValues bind_symbols(const ir::Graph& g, const runtime::SymbolValues& given, const std::string& path) {
  bool used[ir::kNumSyms] = {};
  used_symbols(g, used);
  for (int s = 0; s < ir::kNumSyms; ++s)
    if (used[s] && given[static_cast<size_t>(s)] <= 0) {
      std::string name = ir::sym_name(static_cast<ir::Sym>(s));
      throw error_at(path, "the graph's shapes use the symbol " + name + ": give its value, --dim " + name + "=N");
    }
  runtime::SymbolValues s = given;
  for (ir::Sym which : {ir::Sym::T, ir::Sym::L})
    if (value_of(s, which) <= 0) value_of(s, which) = 1;
  if (value_of(s, ir::Sym::L) > value_of(s, ir::Sym::T))
    throw error_at(path, "L = " + std::to_string(value_of(s, ir::Sym::L)) + " is more than T = " +
                             std::to_string(value_of(s, ir::Sym::T)) + ": L counts the last rows of T");
  if (value_of(s, ir::Sym::C) <= 0) value_of(s, ir::Sym::C) = std::max(kDefaultContext, value_of(s, ir::Sym::T));
  return s;
}

std::vector<HostArray> graph_arguments(const ir::Graph& g, const std::string& path, const runtime::SymbolValues& syms,
                                       const std::map<std::string, GivenArray>& given, uint64_t seed) {
  for (const auto& [name, array] : given)
    if (!g.arg(name))
      throw error_at(array.path, "is given for %" + name + ", but the graph's arguments are " + arg_names(g));
  check_row_ids(g, path);
  const runtime::RowLimits limits = limits_of(g, syms);
  std::vector<HostArray> out;
  for (const auto& arg : g.args()) {
    auto it = given.find(arg->name());
    if (it == given.end()) {
      out.push_back(generated(*arg, syms, limits, seed));
      continue;
    }
    check_given(*arg, it->second, syms);
    out.push_back(it->second.values);
  }
  return out;
}

std::map<size_t, HostArray> row_id_arguments(const ir::Graph& g, const std::string& path,
                                             const runtime::SymbolValues& syms, uint64_t seed) {
  check_row_ids(g, path);
  const runtime::RowLimits limits = limits_of(g, syms);
  std::map<size_t, HostArray> out;
  for (size_t i = 0; i < g.args().size(); ++i)
    if (g.args()[i]->type().dtype == ir::DType::i32) out.emplace(i, generated(*g.args()[i], syms, limits, seed));
  return out;
}

}  // namespace lmc::driver
