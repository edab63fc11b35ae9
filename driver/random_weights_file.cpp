#include "driver/random_weights_file.h"

#include <stdlib.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>

#include "driver/graph_input.h"
#include "driver/seeded_random.h"
#include "ir/op_traits.h"
#include "models/formats/gguf_writer.h"
#include "models/quant/quantize.h"
#include "support/error.h"

namespace lmc::driver {

namespace fs = std::filesystem;

namespace {

// The ggml type a param is written in: the block type its `stored =` names, as a file
// would store it (so that the passes keep those blocks and the kernels read them), else F32.
models::GgmlType file_type(const ir::Op& param, const std::string& graph_path) {
  if (!param.has_attr("stored")) return models::GgmlType::F32;
  const ir::DType stored = param.attr_dtype("stored");
  const std::string where = graph_location(graph_path, param);
  const std::string what =
      "param \"" + param.attr_str("name") + "\" is stored as " + std::string(ir::dtype_name(stored));
  const std::optional<uint32_t> id = ir::dtype_traits(stored).gguf_type;
  if (!id || !models::can_quantize(models::GgmlType(*id)))
    throw error_at(where, what +
                              ", a type random weights are not written in (they take f32, f16, bf16 and the "
                              "block types a GGUF stores)");
  const int64_t block = ir::dtype_block_elems(stored), row = param.result()->type().dims.back().value;
  if (row % block)
    throw error_at(where, what + ", whose blocks of " + std::to_string(block) + " values do not divide its rows of " +
                              std::to_string(row));
  return models::GgmlType(*id);
}

// Each param name once, with its shape and the type it is written in.
std::vector<models::GgufTensorSpec> param_tensors(const ir::Graph& g, const std::string& graph_path) {
  std::vector<models::GgufTensorSpec> out;
  std::map<std::string, const ir::Op*> seen;
  for (const auto& op : g.ops()) {
    if (!ir::is_role(*op, ir::OpRole::Weight)) continue;
    const std::string& name = op->attr_str("name");
    const ir::Type& t = op->result()->type();
    if (name.find_first_of("(),") != std::string::npos)
      throw error_at(graph_location(graph_path, *op),
                     "param \"" + name +
                         "\" is a weight transform, whose parts random weights cannot know: give "
                         "--weights FILE");
    auto [it, first] = seen.emplace(name, op.get());
    if (!first) {
      if (it->second->result()->type().dims != t.dims)
        throw error_at(graph_location(graph_path, *op), "param \"" + name + "\" is " + t.str() + " here but " +
                                                            it->second->result()->type().str() + " at " +
                                                            graph_location(graph_path, *it->second));
      continue;
    }
    if (t.dims.empty() || t.dims.size() > models::kGgufMaxDims)
      throw error_at(graph_location(graph_path, *op), "param \"" + name + "\" is " + t.str() +
                                                          ": random weights are a GGUF, whose tensors have 1 to " +
                                                          std::to_string(models::kGgufMaxDims) + " dimensions");
    models::GgufTensorSpec tensor{name, file_type(*op, graph_path), {}};
    for (const ir::Dim& d : t.dims) tensor.shape.push_back(d.value);
    out.push_back(std::move(tensor));
  }
  return out;
}

int64_t numel(const models::GgufTensorSpec& t) {
  int64_t n = 1;
  for (int64_t d : t.shape) n *= d;  // the parser bounded every param's size
  return n;
}

std::vector<float> random_values(const models::GgufTensorSpec& t, uint64_t seed) {
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
  if (!::mkdtemp(tmpl.data()))
    throw Error(tmpl + ": error: cannot create a directory for random weights: " + std::strerror(errno));
  return tmpl;
}

// The seeded values, quantized into the tensor's type.
std::vector<uint8_t> random_bytes(const models::GgufTensorSpec& t, uint64_t seed) {
  const std::vector<float> v = random_values(t, seed);
  std::vector<uint8_t> out(static_cast<size_t>(numel(t) / t.shape.back()) *
                           models::ggml_row_bytes(t.type, t.shape.back()));
  models::quantize_row(t.type, v.data(), out.data(), numel(t));
  return out;
}

}  // namespace

bool has_params(const ir::Graph& g) {
  for (const auto& op : g.ops())
    if (ir::is_role(*op, ir::OpRole::Weight)) return true;
  return false;
}

RandomWeightsFile::RandomWeightsFile(const ir::Graph& g, const std::string& graph_path, uint64_t seed) {
  const std::vector<models::GgufTensorSpec> tensors = param_tensors(g, graph_path);
  dir_ = make_private_dir();
  path_ = dir_ + "/weights.gguf";
  try {
    models::write_gguf(path_, tensors, [&](size_t i) { return random_bytes(tensors[i], seed); });
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
