#include "runtime/kernel_table.h"

#include <string_view>

#include "codegen/describe_op.h"
#include "ir/type.h"
#include "support/error.h"

namespace lmc::runtime {

const KernelTable::Entry& KernelTable::at(const std::string& key) const {
  auto it = entries.find(key);
  if (it == entries.end()) throw Error("runtime: error: no kernel was built for " + key);
  return it->second;
}

KernelTable build_kernel_table(const codegen::KernelLibrary& lib, const std::vector<codegen::KernelEntry>& kernels) {
  KernelTable table;
  for (const codegen::KernelEntry& k : kernels) table.entries[k.key] = {k.name, k.info, lib.lookup(k.name)};
  return table;
}

namespace {

// Codegen's "codegen: error: <kernel key>: <why>" with the op and its source line in
// front, so the message leads to the line of the model or IR that asked for the kernel.
Error at_op(const Error& e, const ir::Op& op, const std::string& file) {
  constexpr std::string_view kCodegen = "codegen: error: ";
  std::string_view what = e.what();
  if (what.substr(0, kCodegen.size()) == kCodegen) what.remove_prefix(kCodegen.size());
  std::string where = op.line() ? file + ":" + std::to_string(op.line()) : file;
  return error_at(where, op.where() + ": cannot generate its kernel: " + std::string(what));
}

// Calls `take` with the descriptor of every op of `g` that runs a kernel, an error of
// codegen's reported at the op.
template <class Take>
void for_each_kernel(const ir::Graph& g, const std::string& file, Take take) {
  for (const auto& op : g.ops()) {
    if (!codegen::needs_kernel(*op)) continue;
    try {
      take(codegen::describe(*op));
    } catch (const Error& e) {
      throw at_op(e, *op, file);
    }
  }
}

}  // namespace

void add_graph_kernels(codegen::KernelCompiler& compiler, const ir::Graph& g, const std::string& file) {
  for_each_kernel(g, file, [&](const codegen::KernelDesc& d) { compiler.add(d); });
}

std::vector<codegen::KernelEntry> graph_kernel_entries(const ir::Graph& g, const std::string& file) {
  codegen::KernelPlan plan;
  for_each_kernel(g, file, [&](const codegen::KernelDesc& d) { plan.add(plan.entry_for(d)); });
  return plan.kernels();
}

namespace {

bool same_info(const codegen::KernelInfo& a, const codegen::KernelInfo& b) {
  return a.uses_sym == b.uses_sym && a.sym == b.sym && a.per_sym == b.per_sym && a.fixed == b.fixed &&
         a.grain == b.grain && a.rows_from == b.rows_from && a.cols_from == b.cols_from;
}

std::string describe_entry(const codegen::KernelEntry& k) {
  const codegen::KernelInfo& i = k.info;
  std::string items = i.uses_sym ? std::to_string(i.per_sym) + "*" + ir::sym_name(i.sym) : std::to_string(i.fixed);
  std::string rows = i.rows_from ? " (its rows from " + std::to_string(i.rows_from) + " rows)" : "";
  if (i.cols_from) rows += " (its columns again from " + std::to_string(i.cols_from) + " rows)";
  return "symbol " + k.name + ", " + items + " work items" + rows + ", grain " + std::to_string(i.grain);
}

}  // namespace

void check_kernel_entries(const std::vector<codegen::KernelEntry>& derived,
                          const std::vector<codegen::KernelEntry>& recorded, const std::string& where) {
  std::map<std::string, const codegen::KernelEntry*> by_key;
  for (const auto& k : recorded)
    if (!by_key.emplace(k.key, &k).second) throw error_at(where, "the kernel table lists " + k.key + " twice");
  for (const auto& k : derived) {
    auto it = by_key.find(k.key);
    if (it == by_key.end())
      throw error_at(where, "the kernel table has no kernel for " + k.key + ", which the IR needs");
    const codegen::KernelEntry& r = *it->second;
    if (r.name != k.name || !same_info(r.info, k.info))
      throw error_at(where, "the kernel table says " + describe_entry(r) + " for " + k.key + "; the IR gives " +
                                describe_entry(k));
  }
  if (recorded.size() != derived.size())
    throw error_at(where, "the kernel table lists " + std::to_string(recorded.size()) + " kernels; the IR needs " +
                              std::to_string(derived.size()));
}

}  // namespace lmc::runtime
