#include "codegen/describe_op.h"

namespace lmc::codegen {

bool needs_kernel(const ir::Op& op) { return op.kind() != "param" && op.kind() != "reshape"; }

KernelDesc describe(const ir::Op& op) {
  KernelDesc d;
  d.kind = op.kind();
  for (const ir::Value* v : op.operands()) d.operands.push_back(v->type());
  for (size_t i = 0; i < op.num_results(); ++i) d.results.push_back(op.result(i)->type());
  d.attrs = op.attrs();
  return d;
}

}  // namespace lmc::codegen
