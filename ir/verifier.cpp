#include "ir/verifier.h"

#include <set>
#include <unordered_set>

#include "ir/fusion_region.h"
#include "ir/graph_view.h"
#include "ir/op_registry.h"
#include "ir/prefill_kernel.h"
#include "support/checked_math.h"
#include "support/error.h"

namespace lmc::ir {

namespace {

class Verifier {
 public:
  Verifier(const Graph& g, std::string file, const Op* region = nullptr)
      : g_(g), file_(std::move(file)), region_(region) {}

  void run() {
    Op* on_cycle = nullptr;
    if (!topological_order(g_, &on_cycle)) fail(*on_cycle, "is on a dependency cycle");
    for (const auto& a : g_.args()) defined_.insert(a.get());
    for (const auto& op : g_.ops()) {
      check_op(*op);
      for (size_t i = 0; i < op->num_results(); ++i) defined_.insert(op->result(i));
    }
    for (Value* out : g_.outputs())
      if (!defined_.count(out)) {
        if (region_) fail(*region_, "yields %" + out->name() + ", which its body does not define");
        throw error_at(file_, "graph output %" + out->name() + " is not defined");
      }
    if (region_) check_region_shape();
  }

 private:
  const Graph& g_;
  std::string file_;
  const Op* region_;  // the fusion whose body this is, or nullptr for a whole graph
  std::unordered_set<const Value*> defined_;

  // `sep` joins the op to the message: " " for "op 'x' has ...", ": " for a shape rule's own text.
  [[noreturn]] void fail(const Op& op, const std::string& what, const char* sep = " ") const {
    std::string where = file_ + (op.line() ? ":" + std::to_string(op.line()) : "");
    throw error_at(where, op.where() + sep + what);
  }

  void check_op(const Op& op) {
    const OpDef* def = op.definition();
    if (!def) fail(op, "is not a known op");
    int n = static_cast<int>(op.operands().size());
    if (n < def->min_operands || (def->max_operands >= 0 && n > def->max_operands))
      fail(op, "has " + std::to_string(n) + " operands, expects " + operand_range(*def));
    for (Value* v : op.operands())
      if (!defined_.count(v))
        fail(op, "uses %" + v->name() +
                     (region_ ? ", which is not defined in its region (a region sees only its arguments)"
                              : " before its definition"));
    if (region_) check_region_member(op, def->traits);
    if (op.body())
      Verifier(*op.body(), file_, &op).run();
    else if (def->traits.role == OpRole::Region)
      fail(op, "has no body");
    check_attrs(op, *def);
    check_results(op, *def);
  }

  // What a kernel can run: ops that compute (no weights, no nested regions, no op
  // writing its operand in place) around at most one anchor.
  void check_region_member(const Op& op, const OpTraits& t) const {
    if (t.role == OpRole::Region) fail(op, "is a fusion inside a fusion");
    if (!t.kernel || t.aliases_operand || t.role == OpRole::WeightTransform)
      fail(op, std::string("cannot be part of a fusion (it is a ") + role_name(t.role) +
                   (t.aliases_operand ? " aliasing its operand)" : ")"));
  }

  // What one kernel can run is region_shape's to say (ir/fusion_region.h): a region that
  // codegen could not generate fails here, at its line in the input, not first in codegen.
  void check_region_shape() const {
    std::string why;
    region_shape(g_, &why);
    if (!why.empty()) fail(*region_, "cannot run as one kernel: " + why);
  }

  static std::string operand_range(const OpDef& d) {
    if (d.max_operands < 0) return "at least " + std::to_string(d.min_operands);
    if (d.min_operands == d.max_operands) return std::to_string(d.min_operands);
    return std::to_string(d.min_operands) + " to " + std::to_string(d.max_operands);
  }

  void check_attrs(const Op& op, const OpDef& def) {
    for (const auto& spec : def.attrs) {
      auto it = op.attrs().find(spec.name);
      if (it == op.attrs().end()) {
        if (spec.required) fail(op, "lacks attribute '" + std::string(spec.name) + "'");
        continue;
      }
      if (attr_kind(it->second) != spec.kind)
        fail(op, "attribute '" + std::string(spec.name) + "' must be " + attr_kind_name(spec.kind) + ", is " +
                     attr_kind_name(attr_kind(it->second)));
    }
    for (const auto& [k, v] : op.attrs()) {
      bool known = false;
      for (const auto& spec : def.attrs) known = known || k == spec.name;
      if (!known) fail(op, "has unknown attribute '" + k + "'");
    }
    check_prefill(op, def);
  }

  // A `prefill` attribute names a kernel the op's trait allows.
  void check_prefill(const Op& op, const OpDef& def) {
    if (!op.has_attr(kPrefillAttr)) return;
    std::optional<PrefillKernel> k = parse_prefill_kernel(op.attr_str(kPrefillAttr));
    if (!k || !(def.traits.prefill_kernels & prefill_bit(*k)))
      fail(op, "attribute 'prefill' must be " + prefill_names(def.traits.prefill_kernels) + ", is \"" +
                   op.attr_str(kPrefillAttr) + "\"");
  }

  void check_results(const Op& op, const OpDef& def) {
    if (!def.infer) {
      if (op.num_results() != 1) fail(op, "must have one result");
      if (def.traits.role == OpRole::View) check_reshape(op);  // a declared view
      return;
    }
    std::vector<Type> want;
    try {
      want = def.infer(op);
    } catch (const Error& e) {
      fail(op, e.what(), ": ");
    }
    if (want.size() != op.num_results())
      fail(op, "has " + std::to_string(op.num_results()) + " results, expects " + std::to_string(want.size()));
    for (size_t i = 0; i < want.size(); ++i)
      if (!(op.result(i)->type() == want[i]))
        fail(op, "result %" + op.result(i)->name() + " is declared " + op.result(i)->type().str() +
                     " but its operands give " + want[i].str());
  }

  void check_reshape(const Op& op) {
    const Type& from = op.operand(0)->type();
    const Type& to = op.result()->type();
    auto signature = [](const Type& t) {
      int64_t n = 1;
      std::multiset<int> syms;
      for (const auto& d : t.dims)
        d.sym ? (void)syms.insert(static_cast<int>(*d.sym)) : (void)(n = checked_mul(n, d.value, "size of " + t.str()));
      return std::make_pair(n, syms);
    };
    bool same = false;
    try {
      same = signature(from) == signature(to);
    } catch (const Error& e) {
      fail(op, e.what(), ": ");
    }
    if (from.dtype != to.dtype || !same) fail(op, "cannot reshape " + from.str() + " to " + to.str());
  }
};

}  // namespace

void verify(const Graph& g, const std::string& filename) { Verifier(g, filename).run(); }

}  // namespace lmc::ir
