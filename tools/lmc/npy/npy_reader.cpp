#include "tools/lmc/npy/npy_reader.h"

#include <cstring>
#include <limits>
#include <map>

#include "support/checked_math.h"
#include "support/error.h"
#include "support/half.h"
#include "support/regular_file.h"
#include "support/untrusted_text.h"

namespace lmc::tools {

namespace {

constexpr std::string_view kMagic = "\x93NUMPY";

// The header's Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
// Values are strings, True/False, or tuples of integers, which is all numpy writes.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& path) : s_(text), path_(path) {}

  std::map<std::string, std::string> entries() {
    std::map<std::string, std::string> out;
    expect('{');
    while (!accept('}')) {
      std::string key = quoted();
      expect(':');
      out[key] = value();
      if (!accept(',')) {
        expect('}');
        break;
      }
    }
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw error_at(path_, "bad .npy header (" + what + "): " + printable(std::string(s_)));
  }
  void skip_space() {
    while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\n')) ++p_;
  }
  bool accept(char c) {
    skip_space();
    if (p_ >= s_.size() || s_[p_] != c) return false;
    ++p_;
    return true;
  }
  void expect(char c) {
    if (!accept(c)) fail(std::string("expected '") + c + "'");
  }
  std::string quoted() {
    skip_space();
    if (p_ >= s_.size() || (s_[p_] != '\'' && s_[p_] != '"')) fail("expected a quoted key");
    const char q = s_[p_++];
    const size_t end = s_.find(q, p_);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string out(s_.substr(p_, end - p_));
    p_ = end + 1;
    return out;
  }
  // A value as text: a string's contents, True, False, or a tuple's "3,4".
  std::string value() {
    skip_space();
    if (p_ < s_.size() && (s_[p_] == '\'' || s_[p_] == '"')) return quoted();
    if (accept('(')) {
      std::string out;
      while (!accept(')')) {
        skip_space();
        size_t b = p_;
        while (p_ < s_.size() && s_[p_] >= '0' && s_[p_] <= '9') ++p_;
        if (b == p_) fail("expected a dimension");
        out += (out.empty() ? "" : ",") + std::string(s_.substr(b, p_ - b));
        accept('L');  // Python 2 wrote long integers so
        if (!accept(',')) {
          expect(')');
          break;
        }
      }
      return out;
    }
    for (std::string_view word : {"True", "False"})
      if (s_.substr(p_, word.size()) == word) {
        p_ += word.size();
        return std::string(word);
      }
    fail("expected a string, True, False or a tuple");
  }

  std::string_view s_;
  const std::string& path_;
  size_t p_ = 0;
};

std::vector<int64_t> parse_shape(const std::string& text, const std::string& path) {
  std::vector<int64_t> shape;
  size_t b = 0;
  while (b < text.size()) {
    size_t e = text.find(',', b);
    if (e == std::string::npos) e = text.size();
    if (e - b > 18) throw error_at(path, "dimension " + text.substr(b, e - b) + " is too large");
    shape.push_back(std::stoll(text.substr(b, e - b)));
    b = e + 1;
  }
  return shape;
}

uint32_t little_endian(const std::string& s, size_t at, size_t bytes) {
  uint32_t v = 0;
  for (size_t i = 0; i < bytes; ++i) v |= static_cast<uint32_t>(static_cast<unsigned char>(s[at + i])) << (8 * i);
  return v;
}

// The element's size in bytes, for a descr this reader converts ('<f4', '<i8', ...).
int64_t element_bytes(const std::string& descr, const std::string& path) {
  static const std::map<std::string, int64_t> kKnown = {{"<f2", 2}, {"<f4", 4}, {"<f8", 8}, {"<i4", 4}, {"<i8", 8}};
  auto it = kKnown.find(descr);
  if (it == kKnown.end())
    throw error_at(path, "holds '" + printable(descr) +
                             "' values; lmc exec reads little-endian float16/32/64 and int32/64 arrays");
  return it->second;
}

template <typename T>
T element(const char* data, int64_t i) {
  T v;
  std::memcpy(&v, data + i * static_cast<int64_t>(sizeof(T)), sizeof(T));
  return v;
}

void convert(const std::string& descr, const char* data, driver::HostArray& a, const std::string& path) {
  const int64_t n = a.numel();
  if (descr[1] == 'i') {
    a.dtype = ir::DType::i32;
    a.i32.resize(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      const int64_t v = descr == "<i4" ? element<int32_t>(data, i) : element<int64_t>(data, i);
      if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max())
        throw error_at(path, "value " + std::to_string(v) + " at index " + std::to_string(i) + " does not fit int32");
      a.i32[static_cast<size_t>(i)] = static_cast<int32_t>(v);
    }
    return;
  }
  a.dtype = ir::DType::f32;
  a.f32.resize(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    a.f32[static_cast<size_t>(i)] = descr == "<f2"   ? f16_to_f32(element<uint16_t>(data, i))
                                    : descr == "<f4" ? element<float>(data, i)
                                                     : static_cast<float>(element<double>(data, i));
}

}  // namespace

driver::HostArray read_npy(const std::string& path) {
  const std::string file = read_regular_file(path);
  if (file.size() < 10 || std::string_view(file).substr(0, kMagic.size()) != kMagic)
    throw error_at(path, "is not a NumPy .npy file (it does not start with \\x93NUMPY)");
  const int major = static_cast<unsigned char>(file[6]);
  if (major < 1 || major > 3) throw error_at(path, "is .npy format version " + std::to_string(major) + ", not 1 to 3");
  const size_t len_bytes = major == 1 ? 2 : 4;
  if (file.size() < 8 + len_bytes) throw error_at(path, "ends inside its header");
  const size_t header_len = little_endian(file, 8, len_bytes), data_at = 8 + len_bytes + header_len;
  if (data_at > file.size()) throw error_at(path, "ends inside its header");
  auto entries = HeaderParser(std::string_view(file).substr(8 + len_bytes, header_len), path).entries();
  for (const char* key : {"descr", "fortran_order", "shape"})
    if (!entries.count(key)) throw error_at(path, std::string("its header has no '") + key + "'");
  if (entries["fortran_order"] != "False") throw error_at(path, "is in Fortran order; lmc exec reads C order");
  const std::string& descr = entries["descr"];
  const int64_t item = element_bytes(descr, path);
  driver::HostArray a;
  a.shape = parse_shape(entries["shape"], path);
  int64_t n = 1;
  for (int64_t d : a.shape) n = ir::checked_mul(n, d, path + ": error: its element count");
  const uint64_t want = static_cast<uint64_t>(ir::checked_mul(n, item, path + ": error: its data size"));
  if (file.size() - data_at != want)
    throw error_at(path, "has " + std::to_string(file.size() - data_at) + " bytes of data; its shape " +
                             driver::shape_text(a.shape) + " of '" + descr + "' needs " + std::to_string(want));
  convert(descr, file.data() + data_at, a, path);
  return a;
}

}  // namespace lmc::tools
