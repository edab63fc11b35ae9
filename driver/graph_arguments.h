// What lmc exec runs a graph on: the symbols' values, and a value for every argument. An
// argument given as a .npy must have the argument's shape and kind (float or integer);
// the others are generated from the seed, as a step of a model would see them: tokens
// within the smallest table they index, positions 0..T-1, seq 0 (the rows are one
// sequence), and every other argument (activations, KV caches) standard normal values. A
// cache's rows are thereby a random past: kv_write overwrites the rows of the step's
// positions, and attention reads no row past them.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "driver/host_array.h"
#include "ir/graph.h"
#include "runtime/graph_runner.h"

namespace lmc::driver {

// An argument's values read from a file.
struct GivenArray {
  std::string path;
  HostArray values;
};

// The values of T, L and C for a run of `g` (read from `path`): those `given` binds (0: not
// given), which must include every symbol the graph's types use. T and L default to 1; C,
// the context, to 512 or T if larger, so that positions 0..T-1 fit it. Throws lmc::Error
// "<path>: error: ..." naming the first symbol the graph uses that `given` leaves unbound,
// or when L is more than T.
runtime::SymbolValues bind_symbols(const ir::Graph& g, const runtime::SymbolValues& given, const std::string& path);

// A value for each argument of `g` (read from `path`), in order: the one `given` under its
// name (without %), else generated from `seed`. Throws lmc::Error naming the file when a
// given array's kind or shape is not its argument's or the graph has no argument of its
// name, and naming `path` for an i32 argument other than the row ids (a run refuses it).
std::vector<HostArray> graph_arguments(const ir::Graph& g, const std::string& path, const runtime::SymbolValues& syms,
                                       const std::map<std::string, GivenArray>& given, uint64_t seed);

// graph_arguments' values of the row ids alone (the i32 arguments: positions 0..T-1, seq 0),
// by argument index: for a caller that keeps the others as runtime::GraphRunner zeroes
// them (an image encoder stores its patches per image, and its step writes every cache
// row before attention reads it).
std::map<size_t, HostArray> row_id_arguments(const ir::Graph& g, const std::string& path,
                                             const runtime::SymbolValues& syms, uint64_t seed);

}  // namespace lmc::driver
