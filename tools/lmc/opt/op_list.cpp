#include "tools/lmc/opt/op_list.h"

#include <string>
#include <vector>

#include "ir/op_registry.h"
#include "ir/prefill_kernel.h"

namespace lmc::tools {

namespace {

std::string operand_count(const ir::OpDef& d) {
  if (d.max_operands < 0) return "at least " + std::to_string(d.min_operands);
  if (d.min_operands == d.max_operands) return std::to_string(d.min_operands);
  return std::to_string(d.min_operands) + " to " + std::to_string(d.max_operands);
}

std::string attributes(const ir::OpDef& d) {
  if (d.attrs.empty()) return "none";
  std::string out;
  for (const auto& a : d.attrs)
    out += (out.empty() ? "" : ", ") + std::string(a.name) + ": " + ir::attr_kind_name(a.kind) +
           (a.required ? "" : " (optional)");
  return out;
}

// "1, 2" for the operands whose bits are set.
// "1, 2", or "1 and later" for every operand from 1 (a variadic op's: all bits from 1 set).
std::string operand_bits(unsigned bits) {
  std::string out;
  for (unsigned i = 0; i < 32; ++i) {
    if (!(bits >> i & 1u)) continue;
    if (i > 0 && bits >> i == ~0u >> i) return out + (out.empty() ? "" : ", ") + std::to_string(i) + " and later";
    out += (out.empty() ? "" : ", ") + std::to_string(i);
  }
  return out;
}

const char* column_groups(ir::ColumnGroups g) {
  switch (g) {
    case ir::ColumnGroups::None:
      return "";
    case ir::ColumnGroups::Head:
      return "per head_dim columns";
    case ir::ColumnGroups::Weight:
      return "per operand 1's length";
  }
  return "";
}

// The role, then every flag the op has set, in op_traits.h's order.
std::string trait_list(const ir::OpTraits& t) {
  std::vector<std::string> parts = {std::string("role ") + ir::role_name(t.role)};
  auto add = [&](bool on, std::string what) {
    if (on) parts.push_back(std::move(what));
  };
  add(t.kernel, "kernel");
  add(!t.kernel, "no kernel");
  add(t.aliases_operand, "aliases operand 0");
  add(t.commutative, "commutative");
  add(t.slices, "slices operand 0 along axis");
  add(t.gathers_rows, "gathers rows of operand 0");
  add(t.input_prologue, "prologue on operand 0");
  add(t.epilogue, "epilogue");
  add(t.column_groups != ir::ColumnGroups::None, std::string("column groups ") + column_groups(t.column_groups));
  add(t.sums_ranks, "sums ranks");
  add(t.cache_operands != 0, "cache operands " + operand_bits(t.cache_operands));
  add(t.value_cache_operands != 0, "value cache operands " + operand_bits(t.value_cache_operands));
  add(t.panel_operands != 0, "panel operands " + operand_bits(t.panel_operands));
  add(t.selects_experts, "selects experts of operand 1 by operand 2");
  add(t.prefill_kernels != 0, "prefill kernel " + ir::prefill_names(t.prefill_kernels));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

void list_reduction(std::ostream& os, const std::string& name, const ir::RowReduction& r) {
  for (size_t j = 0; j < r.steps.size(); ++j) {
    const auto& s = r.steps[j];
    os << name << ": stat" << j << " = " << s.finish.str()
       << " over acc = " << (s.combine == ir::Combine::Sum ? "sum" : "max") << " of " << s.term.str() << "\n";
  }
  os << name << ": expr " << r.apply.str() << "\n";
  if (r.group_operand >= 0) os << name << ": group operand " << r.group_operand << "'s length\n";
}

}  // namespace

void list_ops(std::ostream& os) {
  for (const ir::OpDef* op : ir::all_ops()) {
    const ir::OpDef& d = *op;
    const std::string name(d.name);
    os << name << ": " << d.summary << "\n";
    os << name << ": operands " << operand_count(d) << "; attributes " << attributes(d) << "\n";
    os << name << ": " << trait_list(d.traits) << "\n";
    if (d.traits.role == ir::OpRole::Elementwise) os << name << ": expr " << d.traits.expr.str() << "\n";
    if (d.traits.role == ir::OpRole::RowReduction) list_reduction(os, name, d.traits.reduction);
    if (d.traits.role == ir::OpRole::Rotation)
      os << name << ": expr " << d.traits.rotation.value.str() << "; row ids operand " << d.traits.rotation.row_ids
         << "\n";
    os << "\n";
  }
}

}  // namespace lmc::tools
