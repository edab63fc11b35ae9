#include "codegen/desc_access.h"

#include <algorithm>
#include <variant>

#include "support/error.h"

namespace lmc::codegen {

namespace {

// Below this many bytes per part, handing work to another thread costs more than
// it saves (a task switch is a few microseconds; this is about as long to stream).
constexpr int64_t kMinBytesPerTask = 32 * 1024;

const ir::Attr& find_attr(const KernelDesc& d, const std::string& name) {
  auto it = d.attrs.find(name);
  if (it == d.attrs.end()) desc_error(d, "missing attribute '" + name + "'");
  return it->second;
}

}  // namespace

void desc_error(const KernelDesc& d, const std::string& what) {
  throw Error("codegen: error: " + d.kind + " kernel " + d.key() + ": " + what);
}

void expect_arity(const KernelDesc& d, size_t operands, size_t results) {
  if (d.operands.size() != operands || d.results.size() != results)
    desc_error(d, "expected " + std::to_string(operands) + " operands and " + std::to_string(results) + " result(s)");
}

Rows expect_rows(const KernelDesc& d, const ir::Type& t, const char* role) {
  if (t.rank() != 2 || !t.dims[1].is_static() || t.dims[1].value <= 0)
    desc_error(d, std::string(role) + " must be [rows, width] with a static width, got " + t.str());
  return {t.dims[0], t.dims[1].value};
}

namespace {

// The groups of a [rows, ..., width] value's row: the product of the dims between.
int64_t row_groups(const KernelDesc& d, const ir::Type& t, const char* role) {
  int64_t groups = 1;
  for (size_t i = 1; i + 1 < t.rank(); ++i) {
    if (!t.dims[i].is_static() || t.dims[i].value <= 0)
      desc_error(d, std::string(role) + " must have static dims after its rows, got " + t.str());
    groups *= t.dims[i].value;
  }
  return groups;
}

}  // namespace

ColumnParts expect_column_parts(const KernelDesc& d, const ir::Type& whole, const std::vector<ir::Type>& parts,
                                const char* whole_role, const char* part_role) {
  const int64_t last = static_cast<int64_t>(whole.rank()) - 1;
  if (last < 1 || attr_int_or(d, "axis", last) != last) desc_error(d, "only the last axis (columns) is supported");
  auto last_dim = [&](const ir::Type& t, const char* role) {
    if (!t.dims.back().is_static() || t.dims.back().value <= 0)
      desc_error(d, std::string(role) + " must have a static last dim, got " + t.str());
    return t.dims.back().value;
  };
  ColumnParts c{{whole.dims[0], last_dim(whole, whole_role)}, {}, row_groups(d, whole, whole_role)};
  int64_t total = 0;
  for (const auto& t : parts) {
    ir::Type other = t;
    if (t.rank() == whole.rank()) other.dims.back() = whole.dims.back();
    if (!(other == whole))
      desc_error(d, std::string(part_role) + "s must have the " + whole_role + "'s dtype and dims but the last, got " +
                        t.str());
    c.widths.push_back(last_dim(t, part_role));
    total += c.widths.back();
  }
  if (total != c.whole.width)
    desc_error(d, std::string(part_role) + " widths must add up to the " + whole_role + " width");
  return c;
}

bool is_cache_length(const ir::Dim& rows) { return rows.sym ? *rows.sym == ir::Sym::C : rows.value > 0; }

Rows expect_f32_rows(const KernelDesc& d, const ir::Type& t, const char* role) {
  if (t.dtype != ir::DType::f32) desc_error(d, std::string(role) + " must be f32, got " + t.str());
  return expect_rows(d, t, role);
}

void expect_row_ids(const KernelDesc& d, const ir::Type& t, const ir::Dim& rows, const char* role) {
  if (t.dtype != ir::DType::i32 || t.rank() != 1 || !(t.dims[0] == rows))
    desc_error(d, std::string(role) + " must be i32[" + rows.str() + "], one per row, got " + t.str());
}

int64_t attr_int(const KernelDesc& d, const std::string& name) {
  const ir::Attr& a = find_attr(d, name);
  if (!std::holds_alternative<int64_t>(a)) desc_error(d, "attribute '" + name + "' must be an int");
  return std::get<int64_t>(a);
}

int64_t attr_int_or(const KernelDesc& d, const std::string& name, int64_t fallback) {
  return d.attrs.count(name) ? attr_int(d, name) : fallback;
}

double attr_float(const KernelDesc& d, const std::string& name) {
  const ir::Attr& a = find_attr(d, name);
  if (std::holds_alternative<double>(a)) return std::get<double>(a);
  if (std::holds_alternative<int64_t>(a)) return static_cast<double>(std::get<int64_t>(a));
  desc_error(d, "attribute '" + name + "' must be a number");
}

double attr_float_or(const KernelDesc& d, const std::string& name, double fallback) {
  return d.attrs.count(name) ? attr_float(d, name) : fallback;
}

std::string attr_string(const KernelDesc& d, const std::string& name) {
  const ir::Attr& a = find_attr(d, name);
  if (!std::holds_alternative<std::string>(a)) desc_error(d, "attribute '" + name + "' must be a string");
  return std::get<std::string>(a);
}

KernelInfo row_items(const ir::Dim& rows, int64_t bytes_per_item) {
  KernelInfo k;
  if (rows.sym) {
    k.uses_sym = true;
    k.sym = *rows.sym;
  } else {
    k.fixed = rows.value;
  }
  k.grain = std::max<int64_t>(1, kMinBytesPerTask / std::max<int64_t>(1, bytes_per_item));
  return k;
}

}  // namespace lmc::codegen
