// The "weight_index" section: one line per tensor of the "weights" section,
// "<name>\t<dtype>\t<d0,d1,...>\t<offset>\t<bytes>\t<digest>", offsets relative to the
// section, the digest (runtime/artifact/digest.h, 16 hex digits) of the tensor's bytes.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/artifact/artifact.h"

namespace lmc::runtime {

// Bytes a tensor of this dtype and shape occupies; nullopt for a shape the dtype
// cannot pack (negative, overflowing, or a last dim that splits a block).
std::optional<uint64_t> tensor_bytes(ir::DType dtype, const std::vector<int64_t>& shape);

std::string encode_weight_index(const std::vector<WeightRecord>& records);
// Checks every record against the weights section's size, alignment and the
// tensor's expected byte count; `where` names the place for errors.
std::vector<WeightRecord> decode_weight_index(std::string_view text, uint64_t weights_size, const std::string& where);

}  // namespace lmc::runtime
