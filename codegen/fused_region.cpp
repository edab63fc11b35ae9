#include "codegen/fused_region.h"

#include "codegen/desc_access.h"
#include "codegen/describe_op.h"
#include "codegen/rope_shape.h"
#include "ir/fusion_region.h"
#include "ir/op_registry.h"
#include "ir/verifier.h"
#include "support/error.h"

namespace lmc::codegen {

namespace {

// A body holding just the described op, its operands as arguments.
std::shared_ptr<const ir::Graph> single_op_body(const KernelDesc& d) {
  auto g = std::make_shared<ir::Graph>("body");
  std::vector<ir::Value*> args;
  for (size_t i = 0; i < d.operands.size(); ++i) args.push_back(g->add_arg("a" + std::to_string(i), d.operands[i]));
  ir::Op* op = g->append(std::make_unique<ir::Op>(d.kind, args, d.attrs));
  std::vector<ir::Value*> outs;
  for (size_t i = 0; i < d.results.size(); ++i) outs.push_back(op->add_result("r" + std::to_string(i), d.results[i]));
  g->set_outputs(outs);
  return g;
}

// The largest power of two dividing both.
unsigned common_lanes(unsigned lanes, int64_t width) {
  while (width % lanes) lanes /= 2;
  return lanes;
}

// Four ymm registers per step hide the latency of the activation polynomials; a rope's
// step must not straddle a half head or its rotary part, a step over a slice of [R, k, N]
// values not one of its groups.
unsigned region_lanes(const ir::Graph& body) {
  unsigned lanes = 32;
  for (const auto& op : body.ops()) {
    if (ir::is_role(*op, ir::OpRole::Rotation)) lanes = rotation_lanes(rope_shape(describe(*op)), lanes);
    if (ir::traits(*op).slices && op->operand(0)->type().rank() > 2)
      for (size_t i = 0; i < op->num_results(); ++i)
        lanes = common_lanes(lanes, op->result(i)->type().dims.back().value);
  }
  return lanes;
}

}  // namespace

FusedRegion fused_region(const KernelDesc& d) {
  FusedRegion r;
  r.body = d.body ? d.body : single_op_body(d);
  // Operand counts, attributes and shape rules: a malformed descriptor is an error, not a wrong kernel.
  try {
    ir::verify(*r.body, "body");
  } catch (const Error& e) {
    desc_error(d, e.what());
  }
  std::string error;
  ir::RegionShape shape = ir::region_shape(*r.body, &error);
  if (!error.empty()) desc_error(d, error);
  r.anchor = shape.anchor;
  r.row_type = shape.row_type;
  r.segment = shape.segment;
  r.plain_input = shape.prologue.empty();
  r.plain_output = shape.epilogue.empty() && r.body->outputs().size() == 1;
  r.lanes = region_lanes(*r.body);
  return r;
}

}  // namespace lmc::codegen
