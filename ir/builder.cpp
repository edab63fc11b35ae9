#include "ir/builder.h"

#include "ir/op_registry.h"
#include "support/error.h"

namespace lmc::ir {

namespace {

// The builder is the other way into a graph besides the parser (the lowering, passes), so
// it holds its ops to the same bounds: the table's operand count before the shape rule
// reads any operand, and every result type's size.
void check_operand_count(const OpDef& def, const Op& op) {
  int n = static_cast<int>(op.operands().size());
  if (n < def.min_operands || (def.max_operands >= 0 && n > def.max_operands))
    throw Error("builder: " + op.where() + " has " + std::to_string(n) + " operands, expects " +
                std::to_string(def.min_operands) +
                (def.max_operands < 0                   ? " or more"
                 : def.max_operands == def.min_operands ? ""
                                                        : " to " + std::to_string(def.max_operands)));
}

void check_result_size(const Op& op, const Type& t) {
  try {
    t.check_size();
  } catch (const Error& e) {
    throw Error("builder: " + op.where() + ": " + e.what());
  }
}

}  // namespace

Value* Builder::param(const std::string& weight_name, Type type, const std::string& value_name) {
  return declared("param", {}, std::move(type), {{"name", weight_name}}, value_name);
}

std::vector<Value*> Builder::create(const std::string& kind, std::vector<Value*> operands, AttrMap attrs,
                                    std::vector<std::string> names) {
  const OpDef* def = find_op(kind);
  if (!def || !def->infer) throw Error("builder: op '" + kind + "' cannot infer its result type");
  auto op = std::make_unique<Op>(kind, std::move(operands), std::move(attrs));
  check_operand_count(*def, *op);
  std::vector<Type> types;
  try {
    types = def->infer(*op);
  } catch (const Error& e) {
    throw Error("builder: " + op->where() + ": " + e.what());
  }
  for (const Type& t : types) check_result_size(*op, t);
  for (size_t i = 0; i < types.size(); ++i)
    op->add_result(i < names.size() ? names[i] : (names.empty() ? "v" : names[0]), types[i]);
  Op* raw = g_.insert(at_, std::move(op));
  std::vector<Value*> out;
  for (size_t i = 0; i < raw->num_results(); ++i) out.push_back(raw->result(i));
  return out;
}

Value* Builder::declared(const std::string& kind, std::vector<Value*> operands, Type type, AttrMap attrs,
                         const std::string& name) {
  auto op = std::make_unique<Op>(kind, std::move(operands), std::move(attrs));
  check_result_size(*op, type);
  op->add_result(name, std::move(type));
  return g_.insert(at_, std::move(op))->result();
}

}  // namespace lmc::ir
