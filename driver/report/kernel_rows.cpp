#include "driver/report/kernel_rows.h"

#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "codegen/describe_op.h"
#include "codegen/kernel_plan.h"
#include "ir/dtype.h"
#include "ir/op_traits.h"
#include "support/error.h"
#include "support/regular_file.h"

namespace lmc::report {

int64_t count_instructions(const std::string& listing) {
  std::istringstream lines(listing);
  std::string line;
  int64_t n = 0;
  while (std::getline(lines, line)) {
    const size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos || b == 0) continue;  // blank, or a label in the first column
    const char c = line[b];
    if (c == '.' || c == '#' || line.back() == ':') continue;
    ++n;
  }
  return n;
}

std::string op_label(const ir::Op& op) {
  if (!op.body()) return op.kind();
  std::string inner;
  for (const auto& o : op.body()->ops())
    inner += (inner.empty() ? "" : ", ") + o->kind();  // a body's yield is its outputs, not an op
  return op.kind() + "(" + inner + ")";
}

namespace {

std::string type_list(const std::vector<ir::Type>& types) {
  std::string out;
  for (const auto& t : types) out += (out.empty() ? "" : ", ") + t.str();
  return out;
}

std::string block_types(const std::vector<ir::Type>& operands) {
  std::set<std::string> names;
  for (const auto& t : operands)
    if (ir::is_quantized(t.dtype)) names.insert(std::string(ir::dtype_name(t.dtype)));
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The kernel's code as written into `dir` (<symbol><ext>), or "" when it is not there.
std::string listing(const std::string& dir, const std::string& symbol, const char* ext) {
  if (dir.empty()) return "";
  const std::string path = (std::filesystem::path(dir) / (symbol + ext)).string();
  return std::filesystem::exists(path) ? read_regular_file(path) : "";
}

KernelRow row_for(const ir::Op& op, const std::string& symbol, const codegen::KernelDesc& d, const KernelCode& code) {
  KernelRow k{symbol,
              op_label(op),
              "%" + op.result()->name(),
              0,
              type_list(d.operands) + " -> " + type_list(d.results),
              block_types(d.operands),
              -1,
              "",
              ""};
  k.assembly = listing(code.asm_dir, symbol, ".s");
  k.llvm_ir = listing(code.llvm_ir_dir, symbol, ".ll");
  if (!k.assembly.empty()) k.instructions = count_instructions(k.assembly);
  return k;
}

// A row for an op codegen refuses (`lmc opt` shows graphs no compile has checked): the
// reason where the symbol would be.
KernelRow refused(const ir::Op& op, const Error& e) {
  return {"none: " + std::string(e.what()), op_label(op), "%" + op.result()->name(), 1, "", "", -1, "", ""};
}

// What a remark about a value may concern in this kernel: the values `op` computes (its
// body's too) and the weights it reads.
void add_values(std::vector<std::string>& values, const ir::Op& op) {
  for (const ir::Op* o : ir::ops_run_by(op))
    for (size_t k = 0; k < o->num_results(); ++k) values.push_back(o->result(k)->name());
  for (const ir::Value* v : op.operands())
    if (v->def() && (ir::is_role(*v->def(), ir::OpRole::Weight) || ir::is_role(*v->def(), ir::OpRole::WeightTransform)))
      values.push_back(v->name());
}

}  // namespace

std::vector<KernelRow> kernel_rows(const ir::Graph& g, const KernelCode& code) {
  codegen::KernelPlan plan;
  std::vector<KernelRow> rows;
  std::map<std::string, size_t> row_of;  // by symbol
  for (const auto& op : g.ops()) {
    // Weight transforms are folded into weights when a compile packs them: no kernel.
    if (!codegen::needs_kernel(*op) || ir::is_role(*op, ir::OpRole::WeightTransform)) continue;
    codegen::KernelDesc d;
    codegen::KernelEntry e;
    try {
      d = codegen::describe(*op);
      e = plan.entry_for(d);
    } catch (const Error& err) {
      rows.push_back(refused(*op, err));
      continue;
    }
    if (!plan.has(e.key)) plan.add(e);
    auto [it, added] = row_of.emplace(e.name, rows.size());
    if (added) rows.push_back(row_for(*op, e.name, d, code));
    ++rows[it->second].ops;
    add_values(rows[it->second].values, *op);
  }
  return rows;
}

}  // namespace lmc::report
