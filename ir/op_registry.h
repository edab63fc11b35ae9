// The op-definition table: for every op, its operands, attributes and result-type
// rule. Adding an op to lmc's IR means adding one entry to ir/op_table.cpp, or, for an
// elementwise op, registering it at run time (a plugin's: register_elementwise_op).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "ir/attribute.h"
#include "ir/graph.h"
#include "ir/op_traits.h"

namespace lmc::ir {

struct AttrSpec {
  const char* name;
  AttrKind kind;
  bool required;
};

struct OpDef {
  std::string_view name;
  int min_operands;
  int max_operands;  // -1: any number
  std::vector<AttrSpec> attrs;
  // Result types from operand types and attributes; throws lmc::Error naming the op
  // when they do not fit. nullptr when the op declares its result type (param, reshape).
  std::vector<Type> (*infer)(const Op& op);
  std::string_view summary;
  OpTraits traits;
};

const OpDef* find_op(std::string_view name);
// The built-in ops, then the registered ones in order.
std::vector<const OpDef*> all_ops();

// Adds an elementwise op: `inputs` operands (1, or 2 with the second of the first's type
// or one row of it), the result of the first's type, each element `value` (scalar_expr.h:
// in(i), attr(name), constants, arithmetic) with `float_attrs` as required float
// attributes. Codegen writes its kernels and fuses it from the expression, as it does the
// built-in elementwise ops. Throws lmc::Error naming the op when the name is taken or not
// an identifier, `inputs` is not 1 or 2, or `value` reads an operand or attribute the op
// does not have.
void register_elementwise_op(const std::string& name, int inputs, const std::vector<std::string>& float_attrs,
                             ScalarExpr value, const std::string& summary);

// The registered ops. A shared module with a copy of ir/ of its own (the code generator)
// is handed the executable's (read_registered_ops) when it loads, so both see one table.
struct RegisteredOps;
RegisteredOps* registered_ops();
void read_registered_ops(RegisteredOps* executables);

}  // namespace lmc::ir
