#include "driver/cost_table.h"

#include <cmath>
#include <sstream>

#include "support/error.h"
#include "support/regular_file.h"

namespace lmc::driver {

CostTable::CostTable(const std::string& path) : path_(path) {
  std::istringstream in(read_regular_file(path));
  int line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    line = line.substr(0, line.find('#'));
    std::istringstream fields(line);
    std::string type, extra;
    double seconds = 0;
    if (!(fields >> type)) continue;
    if (!(fields >> seconds) || (fields >> extra) || !std::isfinite(seconds) || seconds < 0)
      throw error_at(path + ":" + std::to_string(line_no), "expected '<type> <seconds>', e.g. 'q8_0[640,640] 1e-05'");
    if (!seconds_.emplace(type, seconds).second)
      throw error_at(path + ":" + std::to_string(line_no), "a second time for " + type);
  }
}

double CostTable::linear_seconds(const ir::Type& weight) {
  auto it = seconds_.find(weight.str());
  if (it == seconds_.end()) throw error_at(path_, "no time for " + weight.str());
  return it->second;
}

}  // namespace lmc::driver
