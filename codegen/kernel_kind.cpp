#include "codegen/kernel_kind.h"

#include "codegen/attention_shape.h"
#include "codegen/avg_pool_shape.h"
#include "codegen/bf16_panels_shape.h"
#include "codegen/concat_shape.h"
#include "codegen/embedding_shape.h"
#include "codegen/expert_linear_shape.h"
#include "codegen/expert_sum_shape.h"
#include "codegen/fused_rows_shape.h"
#include "codegen/kv_write_shape.h"
#include "codegen/linear_shape.h"
#include "codegen/moe_route_shape.h"
#include "codegen/split_shape.h"
#include "codegen/tail_rows_shape.h"
#include "ir/op_registry.h"
#include "support/error.h"

namespace lmc::codegen {

namespace {

constexpr KernelKind kKinds[] = {
#define LMC_KERNEL_KIND(name, stem) {name, stem##_work_items},
#include "codegen/kernel_kinds.def"
#undef LMC_KERNEL_KIND
};

const KernelKind* find_kind(std::string_view name) {
  for (const KernelKind& k : kKinds)
    if (k.name == name) return &k;
  return nullptr;
}

// A fusion runs around its anchor's kernel; without one, as a loop over rows.
std::string_view anchor_kind(const KernelDesc& d) {
  if (d.body)
    for (const auto& op : d.body->ops())
      if (ir::is_role(*op, ir::OpRole::Anchor)) return op->kind();
  return d.kind;
}

bool runs_as_rows(std::string_view kind) {
  const ir::OpDef* def = ir::find_op(kind);
  if (!def) return false;
  ir::OpRole role = def->traits.role;
  return role == ir::OpRole::Elementwise || role == ir::OpRole::RowReduction || role == ir::OpRole::Rotation ||
         role == ir::OpRole::Region;
}

}  // namespace

const KernelKind& kernel_kind(const KernelDesc& d) {
  std::string_view kind = anchor_kind(d);
  if (const KernelKind* k = find_kind(kind)) return *k;
  if (runs_as_rows(kind)) return *find_kind("fusion");
  throw Error("codegen: error: no kernel for op '" + d.kind + "' (" + d.key() + ")");
}

KernelInfo kernel_work_items(const KernelDesc& d) { return kernel_kind(d).work_items(d); }

}  // namespace lmc::codegen
