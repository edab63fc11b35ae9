// Typed op attributes: int, float, string, int list and dtype. Attributes are kept in
// a sorted map so that printing is deterministic.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "ir/dtype.h"

namespace lmc::ir {

enum class AttrKind { Int, Float, String, IntList, DType };
using Attr = std::variant<int64_t, double, std::string, std::vector<int64_t>, DType>;
using AttrMap = std::map<std::string, Attr>;

AttrKind attr_kind(const Attr& a);
const char* attr_kind_name(AttrKind k);
std::string format_attr(const Attr& a);   // as in the text form
std::string format_double(double v);     // shortest text that parses back to v

}  // namespace lmc::ir
