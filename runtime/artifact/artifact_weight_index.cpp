#include "runtime/artifact/artifact_weight_index.h"

#include <charconv>
#include <set>

#include "runtime/artifact/artifact_format.h"
#include "runtime/artifact/digest.h"
#include "support/error.h"

namespace lmc::runtime {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i)
    if (i == s.size() || s[i] == sep) {
      parts.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  return parts;
}

template <typename Int>
bool parse_int(std::string_view s, Int& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

WeightRecord parse_record(std::string_view line, const std::string& where) {
  auto f = split(line, '\t');
  if (f.size() != 6) throw error_at(where, "expected '<name>\\t<dtype>\\t<shape>\\t<offset>\\t<bytes>\\t<digest>'");
  WeightRecord r;
  r.name = f[0];
  auto dt = ir::parse_dtype(f[1]);
  if (r.name.empty() || !dt) throw error_at(where, "bad weight name or dtype '" + std::string(f[1]) + "'");
  r.dtype = *dt;
  if (!f[2].empty())
    for (std::string_view d : split(f[2], ',')) {
      int64_t v = 0;
      if (!parse_int(d, v) || v < 0) throw error_at(where, "bad dimension '" + std::string(d) + "'");
      r.shape.push_back(v);
    }
  if (!parse_int(f[3], r.offset) || !parse_int(f[4], r.bytes)) throw error_at(where, "bad offset or size");
  auto [end, ec] = std::from_chars(f[5].data(), f[5].data() + f[5].size(), r.digest, 16);
  if (f[5].size() != 16 || ec != std::errc() || end != f[5].data() + f[5].size())
    throw error_at(where, "bad digest '" + std::string(f[5]) + "'");
  return r;
}

}  // namespace

std::optional<uint64_t> tensor_bytes(ir::DType dtype, const std::vector<int64_t>& shape) {
  uint64_t rows = 1;
  for (size_t i = 0; i + 1 < shape.size(); ++i) {
    if (shape[i] < 0 || (shape[i] && rows > UINT64_MAX / static_cast<uint64_t>(shape[i]))) return std::nullopt;
    rows *= static_cast<uint64_t>(shape[i]);
  }
  int64_t last = shape.empty() ? 1 : shape.back();
  if (last < 0 || last % ir::dtype_block_elems(dtype) != 0) return std::nullopt;
  uint64_t row = static_cast<uint64_t>(ir::dtype_row_bytes(dtype, last));
  if (row && rows > UINT64_MAX / row) return std::nullopt;
  return rows * row;
}

std::string encode_weight_index(const std::vector<WeightRecord>& records) {
  std::string out;
  for (const WeightRecord& r : records) {
    std::string shape;
    for (size_t i = 0; i < r.shape.size(); ++i) shape += (i ? "," : "") + std::to_string(r.shape[i]);
    out += r.name + "\t" + std::string(ir::dtype_name(r.dtype)) + "\t" + shape + "\t" + std::to_string(r.offset) +
           "\t" + std::to_string(r.bytes) + "\t" + digest_hex(r.digest) + "\n";
  }
  return out;
}

std::vector<WeightRecord> decode_weight_index(std::string_view text, uint64_t weights_size, const std::string& where) {
  std::vector<WeightRecord> records;
  std::set<std::string> names;
  int line_no = 0;
  while (!text.empty()) {
    std::string line_where = where + " line " + std::to_string(++line_no);
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) throw error_at(line_where, "weight index does not end with a newline");
    WeightRecord r = parse_record(text.substr(0, nl), line_where);
    text.remove_prefix(nl + 1);
    std::optional<uint64_t> expected = tensor_bytes(r.dtype, r.shape);
    if (!expected) throw error_at(line_where, "weight '" + r.name + "' has a shape its dtype cannot hold");
    if (r.bytes != *expected)
      throw error_at(line_where, "weight '" + r.name + "' has " + std::to_string(r.bytes) + " bytes, its shape needs " +
                                     std::to_string(*expected));
    if (r.offset % artifact_format::kTensorAlign != 0 || r.offset > weights_size || r.bytes > weights_size - r.offset)
      throw error_at(line_where, "weight '" + r.name + "' at offset " + std::to_string(r.offset) +
                                     " is misaligned or runs past the weights section (" +
                                     std::to_string(weights_size) + " bytes)");
    if (!names.insert(r.name).second) throw error_at(line_where, "duplicate weight '" + r.name + "'");
    records.push_back(std::move(r));
  }
  return records;
}

}  // namespace lmc::runtime
