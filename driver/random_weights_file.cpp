#include "driver/random_weights_file.h"

#include <stdlib.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "driver/graph_input.h"
#include "driver/seeded_random.h"
#include "support/error.h"
#include "ir/op_traits.h"

namespace lmc::driver {

namespace fs = std::filesystem;

namespace {

struct Tensor {
  std::string name;
  std::vector<int64_t> shape;
};

// Each param name once, with its shape.
std::vector<Tensor> param_tensors(const ir::Graph& g, const std::string& graph_path) {
  std::vector<Tensor> out;
  std::map<std::string, const ir::Op*> seen;
  for (const auto& op : g.ops()) {
    if (!ir::is_role(*op, ir::OpRole::Weight)) continue;
    const std::string& name = op->attr_str("name");
    const ir::Type& t = op->result()->type();
    if (name.find_first_of("(),") != std::string::npos)
      throw error_at(graph_location(graph_path, *op),
                     "param \"" + name + "\" is a weight transform, whose parts random weights cannot know: give "
                                         "--weights FILE");
    auto [it, first] = seen.emplace(name, op.get());
    if (!first) {
      if (it->second->result()->type().dims != t.dims)
        throw error_at(graph_location(graph_path, *op), "param \"" + name + "\" is " + t.str() + " here but " +
                                                            it->second->result()->type().str() + " at " +
                                                            graph_location(graph_path, *it->second));
      continue;
    }
    Tensor tensor{name, {}};
    for (const ir::Dim& d : t.dims) tensor.shape.push_back(d.value);
    out.push_back(std::move(tensor));
  }
  return out;
}

int64_t numel(const Tensor& t) {
  int64_t n = 1;
  for (int64_t d : t.shape) n *= d;  // the parser bounded every param's size
  return n;
}

// SafeTensors' header: each tensor's dtype, shape and byte range, padded with spaces to a
// multiple of 8 bytes so that the data is aligned.
std::string header(const std::vector<Tensor>& tensors) {
  nlohmann::ordered_json json = nlohmann::ordered_json::object();  // tensors in file order
  uint64_t at = 0;
  for (const Tensor& t : tensors) {
    const uint64_t end = at + static_cast<uint64_t>(numel(t)) * sizeof(float);
    json[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {at, end}}};
    at = end;
  }
  std::string h = json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  h.resize((h.size() + 7) / 8 * 8, ' ');
  return h;
}

std::vector<float> random_values(const Tensor& t, uint64_t seed) {
  SeededRandom rng(seed, t.name);
  std::vector<float> v(static_cast<size_t>(numel(t)));
  if (t.shape.size() >= 2) {
    const float scale = 1.0f / std::sqrt(static_cast<float>(t.shape.back()));
    for (float& x : v) x = scale * rng.normal();
  } else {
    for (float& x : v) x = 1.0f + 0.1f * rng.normal();
  }
  return v;
}

std::string make_private_dir() {
  std::error_code ec;
  fs::path base = fs::temp_directory_path(ec);
  std::string tmpl = ((ec ? fs::path("/tmp") : base) / "lmc-exec-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw Error(tmpl + ": error: cannot create a directory for random weights: " +
                                           std::strerror(errno));
  return tmpl;
}

void write_safetensors(const std::string& path, const std::vector<Tensor>& tensors, uint64_t seed) {
  std::ofstream f(path, std::ios::binary);
  const std::string h = header(tensors);
  const uint64_t len = h.size();
  f.write(reinterpret_cast<const char*>(&len), sizeof len);
  f.write(h.data(), static_cast<std::streamsize>(h.size()));
  for (const Tensor& t : tensors) {
    std::vector<float> v = random_values(t, seed);
    f.write(reinterpret_cast<const char*>(v.data()), static_cast<std::streamsize>(v.size() * sizeof(float)));
  }
  f.close();
  if (!f) throw Error(path + ": error: cannot write random weights");
}

}  // namespace

bool has_params(const ir::Graph& g) {
  for (const auto& op : g.ops())
    if (ir::is_role(*op, ir::OpRole::Weight)) return true;
  return false;
}

RandomWeightsFile::RandomWeightsFile(const ir::Graph& g, const std::string& graph_path, uint64_t seed) {
  const std::vector<Tensor> tensors = param_tensors(g, graph_path);
  dir_ = make_private_dir();
  path_ = dir_ + "/weights.safetensors";
  try {
    write_safetensors(path_, tensors, seed);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
    throw;
  }
}

RandomWeightsFile::~RandomWeightsFile() {
  std::error_code ignored;
  fs::remove_all(dir_, ignored);
}

}  // namespace lmc::driver
