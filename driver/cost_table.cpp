#include "driver/cost_table.h"

#include <cmath>
#include <sstream>

#include "support/error.h"
#include "support/regular_file.h"

namespace lmc::driver {

namespace {

constexpr const char* kLineForms =
    "expected '<type> <seconds>' (e.g. 'q8_0[640,640] 1e-05') or "
    "'prefill <kernel> <weights> <rows> <seconds>' (e.g. 'prefill vnni q4_kx16[1024,640] 512 0.002') or "
    "'epilogue <weight> <op> <rows> <fused> <split>' (e.g. 'epilogue f32[512,256] sigmoid 64 2e-05 1.9e-05')";

bool valid_seconds(double s) { return std::isfinite(s) && s >= 0; }

// "q8_0x16[1024,640]+q8_0x16[256,640]": a linear's weight parts as a prefill line names them.
std::string weights_key(const std::vector<ir::Type>& weights) {
  std::string out;
  for (const ir::Type& w : weights) out += (out.empty() ? "" : "+") + w.str();
  return out;
}

std::string prefill_key(ir::PrefillKernel k, const std::string& weights, int64_t rows) {
  return std::string(ir::prefill_kernel_name(k)) + " " + weights + " " + std::to_string(rows);
}

std::string epilogue_key(const std::string& weight, const std::string& op, int64_t rows) {
  return weight + " " + op + " " + std::to_string(rows);
}

}  // namespace

CostTable::CostTable(const std::string& path) : path_(path) {
  std::istringstream in(read_regular_file(path));
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    const std::string where = path + ":" + std::to_string(line_no);
    line = line.substr(0, line.find('#'));
    std::istringstream fields(line);
    std::string first, extra;
    if (!(fields >> first)) continue;
    if (first == "prefill") {
      std::string kernel, weights;
      int64_t rows = 0;
      double seconds = 0;
      if (!(fields >> kernel >> weights >> rows >> seconds) || (fields >> extra) || rows <= 0 ||
          !valid_seconds(seconds))
        throw error_at(where, kLineForms);
      std::optional<ir::PrefillKernel> k = ir::parse_prefill_kernel(kernel);
      if (!k) throw error_at(where, "'" + kernel + "' is no prefill kernel (" + ir::prefill_names(~0u) + ")");
      if (!prefill_.emplace(prefill_key(*k, weights, rows), seconds).second)
        throw error_at(where, "a second time for prefill " + prefill_key(*k, weights, rows));
      offered_[weights].insert(*k);
      continue;
    }
    if (first == "epilogue") {
      std::string weight, op;
      int64_t rows = 0;
      passes::EpilogueSeconds t;
      if (!(fields >> weight >> op >> rows >> t.fused >> t.split) || (fields >> extra) || rows <= 0 ||
          !valid_seconds(t.fused) || !valid_seconds(t.split))
        throw error_at(where, kLineForms);
      if (!epilogue_.emplace(epilogue_key(weight, op, rows), t).second)
        throw error_at(where, "a second time for epilogue " + epilogue_key(weight, op, rows));
      continue;
    }
    double seconds = 0;
    if (!(fields >> seconds) || (fields >> extra) || !valid_seconds(seconds)) throw error_at(where, kLineForms);
    if (!seconds_.emplace(first, seconds).second) throw error_at(where, "a second time for " + first);
  }
}

double CostTable::linear_seconds(const ir::Type& weight) {
  auto it = seconds_.find(weight.str());
  if (it == seconds_.end()) throw error_at(path_, "no time for " + weight.str());
  return it->second;
}

std::vector<ir::PrefillKernel> CostTable::prefill_kernels(const ir::Op& op) {
  const std::vector<ir::Type> weights = ir::prefill_weights(op);
  std::vector<ir::PrefillKernel> out = {ir::PrefillKernel::Vnni};
  auto it = weights.empty() ? offered_.end() : offered_.find(weights_key(weights));
  for (ir::PrefillKernel k : ir::kPrefillKernels)
    if (k != ir::PrefillKernel::Vnni && it != offered_.end() && it->second.count(k)) out.push_back(k);
  return out;
}

double CostTable::prefill_seconds(const passes::PrefillCall& c) {
  const std::string key = prefill_key(c.kernel, weights_key(c.weights), c.rows);
  auto it = prefill_.find(key);
  if (it == prefill_.end()) throw error_at(path_, "no time for prefill " + key);
  return it->second;
}

passes::EpilogueSeconds CostTable::epilogue_seconds(const passes::EpilogueCall& c) {
  const std::string key = epilogue_key(c.weight.str(), c.op, c.rows);
  auto it = epilogue_.find(key);
  if (it == epilogue_.end()) throw error_at(path_, "no times for epilogue " + key);
  return it->second;
}

}  // namespace lmc::driver
