#include "models/super_block_panels.h"

#include <cstring>

namespace lmc::models {

namespace {

constexpr int64_t kRows = 16, kPieces = 8, kPiece = 32;
constexpr int64_t kHead = 16;  // f16 d, f16 dmin, 12 bytes of scales and mins

// Value l (0..31) of piece j of a super-block: a nibble of the pair of pieces' 32 bytes,
// plus for Q5_K the fifth bit, bit j of byte l of its 32 bytes of high bits.
struct Super {
  const uint8_t* p;
  bool q5;
  int nibble(int64_t j, int64_t l) const { return (p[(q5 ? 48 : 16) + 32 * (j / 2) + l] >> (4 * (j % 2))) & 0x0F; }
  uint32_t fifth_bits(int64_t j) const {
    uint32_t bits = 0;
    for (int64_t l = 0; l < kPiece; ++l) bits |= static_cast<uint32_t>((p[16 + l] >> j) & 1) << l;
    return bits;
  }
};

}  // namespace

std::vector<uint8_t> interleave_super_panels(const std::vector<uint8_t>& supers, ir::DType panels, int64_t rows,
                                             int64_t cols) {
  const ir::DType base = ir::panel_base(panels);
  const bool q5 = base == ir::DType::q5_k;
  const int64_t bytes = ir::dtype_block_bytes(base), per_row = cols / 256;
  std::vector<uint8_t> out(supers.size());
  uint8_t* dst = out.data();
  auto put = [&](const void* v, size_t n) {
    std::memcpy(dst, v, n);
    dst += n;
  };
  for (int64_t p = 0; p < rows / kRows; ++p)
    for (int64_t s = 0; s < per_row; ++s) {
      auto super = [&](int64_t r) { return Super{supers.data() + ((p * kRows + r) * per_row + s) * bytes, q5}; };
      // d, then dmin, then each of the 3 words of scales: 16 rows' at a time.
      for (int64_t at = 0; at < kHead; at += at < 4 ? 2 : 4)
        for (int64_t r = 0; r < kRows; ++r) put(super(r).p + at, at < 4 ? 2 : 4);
      for (int64_t j = 0; j < kPieces; ++j) {
        if (q5)
          for (int64_t r = 0; r < kRows; ++r) {
            uint32_t bits = super(r).fifth_bits(j);
            put(&bits, 4);
          }
        for (int64_t c = 0; c < 4; ++c)
          for (int64_t r = 0; r < kRows; ++r)
            for (int64_t i = 0; i < 4; ++i) {
              const Super sb = super(r);
              *dst++ = static_cast<uint8_t>(sb.nibble(j, 4 * c + i) | (sb.nibble(j, 4 * c + i + 16) << 4));
            }
      }
    }
  return out;
}

}  // namespace lmc::models
