#include "models/model_check.h"

#include "support/error.h"

namespace lmc::models {

namespace {

// The weight a table operand reads, for the message; the value's name if not a param.
std::string table_name(const ir::Value* table) {
  const ir::Op* def = table->def();
  if (def && def->kind() == "param") return def->attr_str("name");
  return "%" + table->name();
}

}  // namespace

void check_embedding_ranges(const LoweredModel& m, const Tokenizer& tokenizer) {
  const ir::Value* tokens = m.graph->arg("tokens");
  const ir::Value* positions = m.graph->arg("positions");
  for (const auto& op : m.graph->ops()) {
    if (op->kind() != "embedding") continue;
    const ir::Value* ids = op->operand(1);
    const ir::Dim& table_rows = op->operand(0)->type().dims[0];  // the shape rule gave the table rank 2
    if (!table_rows.is_static()) continue;
    const int64_t rows = table_rows.value;
    if (ids == tokens && static_cast<uint64_t>(rows) < tokenizer.size())
      throw error_at(m.def.path, "the tokenizer (" + tokenizer.settings().source + ") has " +
                                     std::to_string(tokenizer.size()) + " tokens but the embedding table '" +
                                     table_name(op->operand(0)) + "' has " + std::to_string(rows) + " rows");
    if (ids == positions && rows < m.info.context)
      throw error_at(m.def.path, "the position table '" + table_name(op->operand(0)) + "' has " + std::to_string(rows) +
                                     " rows, fewer than the context of " + std::to_string(m.info.context) +
                                     " (lower it with --context)");
  }
}

}  // namespace lmc::models
