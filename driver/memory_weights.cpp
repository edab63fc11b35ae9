#include "driver/memory_weights.h"
#include "ir/op_registry.h"

#include "support/error.h"

namespace lmc::driver {

MemoryWeights::MemoryWeights(const ir::Graph& g, const models::WeightSource& source) {
  for (const auto& op : g.ops()) {
    if (!ir::is_role(*op, ir::OpRole::Weight)) continue;
    const std::string& name = op->attr_str("name");
    if (tensors_.count(name)) continue;
    auto bytes = source.materialize(name, op->result()->type().dtype);
    bytes_ += bytes.size();
    tensors_[name] = std::move(bytes);
  }
}

const void* MemoryWeights::get(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) throw Error("weights: error: no tensor named '" + name + "'");
  return it->second.data();
}

std::vector<std::string_view> MemoryWeights::spans() const {
  std::vector<std::string_view> out;
  for (const auto& [name, bytes] : tensors_)
    out.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return out;
}

}  // namespace lmc::driver
