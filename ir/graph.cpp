#include "ir/graph.h"

#include <algorithm>

#include "ir/op_registry.h"
#include "support/error.h"

namespace lmc::ir {

Op::Op(std::string kind, std::vector<Value*> operands, AttrMap attrs)
    : kind_(std::move(kind)), operands_(std::move(operands)), attrs_(std::move(attrs)) {}

Op::~Op() = default;

const OpDef* Op::definition() const {
  const OpDef* d = definition_.load(std::memory_order_relaxed);
  if (!d) {
    d = find_op(kind_);
    definition_.store(d, std::memory_order_relaxed);
  }
  return d;
}

void Op::set_body(std::unique_ptr<Graph> body) { body_ = std::move(body); }

Value* Op::add_result(std::string name, Type type) {
  results_.push_back(
      std::make_unique<Value>(std::move(name), std::move(type), this, static_cast<int>(results_.size())));
  return results_.back().get();
}

namespace {
template <typename T>
const T& get_attr(const Op& op, const std::string& k, const char* kind) {
  auto it = op.attrs().find(k);
  if (it == op.attrs().end()) throw Error(op.where() + ": missing attribute '" + k + "'");
  if (!std::holds_alternative<T>(it->second)) throw Error(op.where() + ": attribute '" + k + "' must be " + kind);
  return std::get<T>(it->second);
}
}  // namespace

int64_t Op::attr_int(const std::string& k) const { return get_attr<int64_t>(*this, k, "an int"); }
double Op::attr_float(const std::string& k) const { return get_attr<double>(*this, k, "a float"); }
const std::string& Op::attr_str(const std::string& k) const { return get_attr<std::string>(*this, k, "a string"); }
const std::vector<int64_t>& Op::attr_ints(const std::string& k) const {
  return get_attr<std::vector<int64_t>>(*this, k, "an int list");
}
DType Op::attr_dtype(const std::string& k) const { return get_attr<DType>(*this, k, "a dtype"); }

std::string Op::where() const {
  std::string s = "op '" + kind_ + "'";
  if (!results_.empty()) s += " defining %" + results_[0]->name();
  if (line_) s += " (line " + std::to_string(line_) + ")";
  return s;
}

std::vector<const Op*> ops_run_by(const Op& op) {
  if (!op.body()) return {&op};
  std::vector<const Op*> out;
  for (const auto& inner : op.body()->ops()) out.push_back(inner.get());
  return out;
}

Value* Graph::add_arg(std::string name, Type type) {
  note_name(name);
  args_.push_back(std::make_unique<Value>(std::move(name), std::move(type), nullptr, static_cast<int>(args_.size())));
  return args_.back().get();
}

Value* Graph::arg(const std::string& name) const {
  for (const auto& a : args_)
    if (a->name() == name) return a.get();
  return nullptr;
}

Op* Graph::insert(OpIter pos, std::unique_ptr<Op> op) {
  for (size_t i = 0; i < op->num_results(); ++i) {
    Value* r = op->result(i);
    if (name_uses_.count(r->name())) r->set_name(unique_name(r->name()));
    note_name(r->name());
  }
  return ops_.insert(pos, std::move(op))->get();
}

OpIter Graph::find(const Op* op) {
  return std::find_if(ops_.begin(), ops_.end(), [&](const auto& p) { return p.get() == op; });
}

void Graph::erase(const Op* op) { ops_.erase(find(op)); }

void Graph::replace_all_uses(Value* from, Value* to) {
  for (auto& op : ops_)
    for (size_t i = 0; i < op->operands().size(); ++i)
      if (op->operand(i) == from) op->set_operand(i, to);
  std::replace(outputs_.begin(), outputs_.end(), from, to);
}

std::vector<Op*> Graph::users(const Value* v) const {
  std::vector<Op*> out;
  for (const auto& op : ops_)
    if (std::find(op->operands().begin(), op->operands().end(), v) != op->operands().end()) out.push_back(op.get());
  return out;
}

bool Graph::is_output(const Value* v) const { return std::find(outputs_.begin(), outputs_.end(), v) != outputs_.end(); }

std::string Graph::unique_name(const std::string& hint) {
  if (!name_uses_.count(hint)) return hint;
  for (int n = name_uses_[hint];; ++n) {
    std::string cand = hint + "." + std::to_string(n);
    if (!name_uses_.count(cand)) {
      name_uses_[hint] = n + 1;
      return cand;
    }
  }
}

}  // namespace lmc::ir
