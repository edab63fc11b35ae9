#include "tools/lmc/flags/dim_flags.h"

#include <charconv>
#include <optional>

namespace lmc::tools {

namespace {

constexpr int64_t kMaxDim = int64_t{1} << 20;

void bind_dim(runtime::SymbolValues& s, const std::string& item) {
  const size_t eq = item.find('=');
  if (eq == std::string::npos) throw UsageError("--dim expects SYM=N with SYM one of T, L, C; got '" + item + "'");
  const std::string name = item.substr(0, eq), text = item.substr(eq + 1);
  std::optional<ir::Sym> sym = ir::parse_sym(name);
  if (!sym) throw UsageError("--dim: '" + name + "' is not a symbol (T, L or C)");
  int64_t v = 0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), v);
  if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < 1 || v > kMaxDim)
    throw UsageError("--dim " + name + " must be an integer from 1 to " + std::to_string(kMaxDim) + ", got '" + text +
                     "'");
  int64_t& slot = s[static_cast<size_t>(*sym)];
  if (slot && slot != v) throw UsageError("--dim gives " + name + " two values");
  slot = v;
}

}  // namespace

FlagSpec dim_flag_spec() {
  return {"dim", true,
          "values of the symbols the graph's shapes use: T (rows), L (last rows, at most T), "
          "C (context); comma-separated or repeated",
          "SYM=N"};
}

runtime::SymbolValues parse_dims(const std::vector<std::string>& flags) {
  runtime::SymbolValues s{};
  for (const std::string& flag : flags)
    for (size_t b = 0; b <= flag.size();) {
      size_t e = std::min(flag.find(',', b), flag.size());
      bind_dim(s, flag.substr(b, e - b));
      b = e + 1;
    }
  return s;
}

std::string dims_text(const runtime::SymbolValues& dims) {
  std::string out;
  for (size_t i = 0; i < dims.size(); ++i)
    if (dims[i])
      out +=
          (out.empty() ? "" : ",") + std::string(ir::sym_name(static_cast<ir::Sym>(i))) + "=" + std::to_string(dims[i]);
  return out;
}

}  // namespace lmc::tools
