#include "driver/model_identity.h"

#include <string>

#include "ir/op_traits.h"
#include "ir/printer.h"
#include "runtime/artifact/digest.h"

namespace lmc::driver {

uint64_t model_identity(const LoadedModel& m) {
  runtime::Digest64Stream d;
  d.update(ir::print(*m.graph));
  const int64_t no_symbols[ir::kNumSyms] = {};
  for (const auto& op : m.graph->ops()) {
    if (!ir::is_role(*op, ir::OpRole::Weight)) continue;
    const auto bytes = static_cast<size_t>(op->result()->type().bytes(no_symbols));
    d.update({static_cast<const char*>(m.weights->get(op->attr_str("name"))), bytes});
  }
  return d.value();
}

}  // namespace lmc::driver
