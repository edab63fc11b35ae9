// The tensor IR: an SSA dataflow graph of coarse ops (linear, rms_norm, attention...).
// A Graph owns its arguments and ops; an Op owns its results. Ops are kept in a list
// in program order, so passes can insert and erase without invalidating other ops.
#pragma once
#include <atomic>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/attribute.h"
#include "ir/type.h"

namespace lmc::ir {

class Op;
class Graph;
struct OpDef;

class Value {
 public:
  Value(std::string name, Type type, Op* def, int index)
      : name_(std::move(name)), type_(std::move(type)), def_(def), index_(index) {}
  const std::string& name() const { return name_; }
  void set_name(std::string n) { name_ = std::move(n); }
  const Type& type() const { return type_; }
  void set_type(Type t) { type_ = std::move(t); }
  Op* def() const { return def_; }   // nullptr for graph arguments
  int index() const { return index_; }

 private:
  std::string name_;
  Type type_;
  Op* def_;
  int index_;
};

class Op {
 public:
  Op(std::string kind, std::vector<Value*> operands, AttrMap attrs);
  ~Op();
  const std::string& kind() const { return kind_; }
  // Its entry in the op table (ir/op_registry.h), found once; nullptr for an unknown kind.
  const OpDef* definition() const;
  const std::vector<Value*>& operands() const { return operands_; }
  Value* operand(size_t i) const { return operands_.at(i); }
  void set_operand(size_t i, Value* v) { operands_.at(i) = v; }
  void set_operands(std::vector<Value*> v) { operands_ = std::move(v); }
  size_t num_results() const { return results_.size(); }
  Value* result(size_t i = 0) const { return results_.at(i).get(); }
  Value* add_result(std::string name, Type type);

  const AttrMap& attrs() const { return attrs_; }
  AttrMap& attrs() { return attrs_; }
  bool has_attr(const std::string& k) const { return attrs_.count(k) != 0; }
  int64_t attr_int(const std::string& k) const;
  double attr_float(const std::string& k) const;
  const std::string& attr_str(const std::string& k) const;
  const std::vector<int64_t>& attr_ints(const std::string& k) const;
  DType attr_dtype(const std::string& k) const;

  // A fusion's body: a graph of its own whose arguments are bound to the operands and
  // whose outputs are the results. It sees nothing of the enclosing graph.
  const Graph* body() const { return body_.get(); }
  Graph* body() { return body_.get(); }
  void set_body(std::unique_ptr<Graph> body);

  int line() const { return line_; }  // source line when parsed, 0 otherwise
  void set_line(int l) { line_ = l; }
  std::string where() const;          // "op 'linear' (line 12)" for diagnostics

 private:
  std::string kind_;
  // Found on first use rather than at construction: a plugin's op may be registered after
  // an op of its kind was built (then it is unknown until then, and found after). Atomic:
  // kernels' threads ask an op's traits.
  mutable std::atomic<const OpDef*> definition_ = nullptr;
  std::vector<Value*> operands_;
  std::vector<std::unique_ptr<Value>> results_;
  AttrMap attrs_;
  std::unique_ptr<Graph> body_;
  int line_ = 0;
};

// The ops one kernel runs: a fusion's body ops, or the op itself.
std::vector<const Op*> ops_run_by(const Op& op);

using OpList = std::list<std::unique_ptr<Op>>;
using OpIter = OpList::iterator;

class Graph {
 public:
  explicit Graph(std::string name = "main") : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  Value* add_arg(std::string name, Type type);
  const std::vector<std::unique_ptr<Value>>& args() const { return args_; }
  Value* arg(const std::string& name) const;

  OpList& ops() { return ops_; }
  const OpList& ops() const { return ops_; }
  // Inserts before `pos` (end() appends) and gives the op's results fresh names.
  Op* insert(OpIter pos, std::unique_ptr<Op> op);
  Op* append(std::unique_ptr<Op> op) { return insert(ops_.end(), std::move(op)); }
  OpIter find(const Op* op);
  void erase(const Op* op);

  const std::vector<Value*>& outputs() const { return outputs_; }
  void set_outputs(std::vector<Value*> v) { outputs_ = std::move(v); }

  // Every operand and output that reads `from` reads `to` instead.
  void replace_all_uses(Value* from, Value* to);
  std::vector<Op*> users(const Value* v) const;
  bool is_output(const Value* v) const;

  // A name no value of this graph has yet, derived from `hint`.
  std::string unique_name(const std::string& hint);
  void note_name(const std::string& n) { ++name_uses_[n]; }

 private:
  std::string name_;
  std::vector<std::unique_ptr<Value>> args_;
  OpList ops_;
  std::vector<Value*> outputs_;
  std::map<std::string, int> name_uses_;
};

}  // namespace lmc::ir
