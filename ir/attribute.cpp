#include "ir/attribute.h"

#include <charconv>
#include <cmath>

namespace lmc::ir {

AttrKind attr_kind(const Attr& a) { return static_cast<AttrKind>(a.index()); }

const char* attr_kind_name(AttrKind k) {
  switch (k) {
    case AttrKind::Int:
      return "int";
    case AttrKind::Float:
      return "float";
    case AttrKind::String:
      return "string";
    case AttrKind::IntList:
      return "int list";
    case AttrKind::DType:
      return "dtype";
  }
  return "?";
}

std::string format_double(double v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string s(buf, r.ptr);
  // Keep floats recognisable as floats so that parsing restores the same kind.
  if (std::isfinite(v) && s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string format_attr(const Attr& a) {
  switch (attr_kind(a)) {
    case AttrKind::Int:
      return std::to_string(std::get<int64_t>(a));
    case AttrKind::Float:
      return format_double(std::get<double>(a));
    case AttrKind::String: {
      std::string s = "\"";
      for (char c : std::get<std::string>(a)) {
        if (c == '"' || c == '\\') s += '\\';
        s += c;
      }
      return s + "\"";
    }
    case AttrKind::IntList: {
      std::string s = "[";
      const auto& l = std::get<std::vector<int64_t>>(a);
      for (size_t i = 0; i < l.size(); ++i) s += (i ? ", " : "") + std::to_string(l[i]);
      return s + "]";
    }
    case AttrKind::DType:
      return std::string(dtype_name(std::get<DType>(a)));
  }
  return {};
}

}  // namespace lmc::ir
