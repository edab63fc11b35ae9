// The op-definition table: for every op, its operands, attributes and result-type
// rule. Adding an op to lmc's IR means adding one entry to ir/op_table.cpp.
#pragma once
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
const std::vector<OpDef>& all_ops();

}  // namespace lmc::ir
