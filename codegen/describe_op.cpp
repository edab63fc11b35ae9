#include "codegen/describe_op.h"

#include "ir/op_registry.h"
#include "ir/parser.h"
#include "ir/printer.h"

namespace lmc::codegen {

bool needs_kernel(const ir::Op& op) { return ir::runs_kernel(op); }

KernelDesc describe(const ir::Op& op) {
  KernelDesc d;
  d.kind = op.kind();
  for (const ir::Value* v : op.operands()) d.operands.push_back(v->type());
  for (size_t i = 0; i < op.num_results(); ++i) d.results.push_back(op.result(i)->type());
  d.attrs = op.attrs();
  // The text form is the contract, so a copy through it is exact.
  if (op.body()) d.body = ir::parse(ir::print(*op.body()), "fusion body");
  return d;
}

}  // namespace lmc::codegen
