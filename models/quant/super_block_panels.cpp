#include "models/quant/super_block_panels.h"

#include <cstring>

namespace lmc::models {

namespace {

constexpr int64_t kRows = 16, kPieces = 8, kPiece = 32;
constexpr int64_t kHeader = 16 * kRows;  // d, dmin and 3 words of scales, 16 rows' each

// One row's super-block into its panel's region `out` (16 rows' super-blocks) as row r:
// its header fields among the 16 rows', then each piece's nibbles paired l, l + 16 in
// chunks of 4 bytes, after Q5_K's fifth bits of the piece as a word (bit l for value l).
void place_row(const uint8_t* super, bool q5, int64_t r, uint8_t* out) {
  std::memcpy(out + 2 * r, super, 2);
  std::memcpy(out + 2 * kRows + 2 * r, super + 2, 2);
  for (int64_t w = 0; w < 3; ++w) std::memcpy(out + 4 * kRows * (1 + w) + 4 * r, super + 4 + 4 * w, 4);
  const uint8_t* high = super + 16;
  const int64_t piece_bytes = kRows * 4 * (q5 ? 5 : 4);
  for (int64_t j = 0; j < kPieces; ++j) {
    uint8_t* piece = out + kHeader + j * piece_bytes;
    if (q5) {
      // Bit j of 8 bytes at a time: the multiply gathers byte b's bit into bit b of the top byte.
      uint32_t bits = 0;
      for (int64_t c = 0; c < kPiece / 8; ++c) {
        uint64_t eight;
        std::memcpy(&eight, high + 8 * c, 8);
        const uint64_t ones = (eight >> j) & 0x0101010101010101ull;
        bits |= static_cast<uint32_t>((ones * 0x0102040810204080ull) >> 56) << (8 * c);
      }
      std::memcpy(piece + 4 * r, &bits, 4);
      piece += 4 * kRows;
    }
    const uint8_t* q = super + (q5 ? 48 : 16) + 32 * (j / 2);
    // Four bytes at a time: byte b of word c is value 4c + b's nibble beside value
    // 4c + b + 16's (packing is most of a compile's time for a K-quant file).
    for (int64_t c = 0; c < kPiece / 8; ++c) {
      uint32_t low, high16;
      std::memcpy(&low, q + 4 * c, 4);
      std::memcpy(&high16, q + 16 + 4 * c, 4);
      const uint32_t word = j % 2 == 0 ? (low & 0x0F0F0F0Fu) | ((high16 & 0x0F0F0F0Fu) << 4)
                                       : ((low >> 4) & 0x0F0F0F0Fu) | (high16 & 0xF0F0F0F0u);
      std::memcpy(piece + c * 4 * kRows + 4 * r, &word, 4);
    }
  }
}

// Q6_K's row r: its d among the 16 rows', its 16 scales each among the rows' of its
// sub-block, then per piece the 2-bit high parts of the values its low nibbles pair (l and
// l + 16) as two words, and the nibbles paired as place_row pairs Q4_K's.
void place_q6_row(const uint8_t* super, int64_t r, uint8_t* out) {
  constexpr int64_t kQuants = 128, kScales = 192, kD = 208, kSubs = 16;
  std::memcpy(out + 2 * r, super + kD, 2);
  for (int64_t s = 0; s < kSubs; ++s) out[2 * kRows + s * kRows + r] = super[kScales + s];
  const int64_t header = 2 * kRows + kSubs * kRows, piece_bytes = kRows * 4 * 6;
  // GGUF: value v of half h (v < 128) has its low nibble in byte 64h + v % 64 (low nibble
  // for v < 64, else high) and its high part at bits 2(v / 32) of byte kQuants + 32h + v % 32.
  auto q6 = [&](int64_t v) {
    const int64_t h = v / 128, i = v % 128;
    const int low = (super[64 * h + i % 64] >> (4 * (i / 64))) & 0x0F;
    const int high = (super[kQuants + 32 * h + i % 32] >> (2 * (i / 32))) & 3;
    return std::pair{low, high};
  };
  for (int64_t j = 0; j < kPieces; ++j) {
    uint8_t* piece = out + header + j * piece_bytes;
    for (int64_t word = 0; word < 2; ++word)
      for (int64_t b = 0; b < 4; ++b) {
        int bits = 0;
        for (int64_t c = 0; c < 4; ++c) bits |= q6(kPiece * j + 4 * c + b + 16 * word).second << (2 * c);
        piece[word * 4 * kRows + 4 * r + b] = static_cast<uint8_t>(bits);
      }
    for (int64_t c = 0; c < 4; ++c)
      for (int64_t b = 0; b < 4; ++b) {
        const int64_t v = kPiece * j + 4 * c + b;
        piece[2 * 4 * kRows + c * 4 * kRows + 4 * r + b] = static_cast<uint8_t>(q6(v).first | (q6(v + 16).first << 4));
      }
  }
}

}  // namespace

std::vector<uint8_t> interleave_super_panels(std::span<const uint8_t> supers, ir::DType panels, int64_t rows,
                                             int64_t cols) {
  const ir::DType base = ir::panel_base(panels);
  const int64_t bytes = ir::dtype_block_bytes(base), per_row = cols / 256;
  std::vector<uint8_t> out(supers.size());
  for (int64_t n = 0; n < rows; ++n)
    for (int64_t s = 0; s < per_row; ++s) {
      const uint8_t* super = supers.data() + (n * per_row + s) * bytes;
      uint8_t* panel = out.data() + ((n / kRows) * per_row + s) * kRows * bytes;
      if (base == ir::DType::q6_k)
        place_q6_row(super, n % kRows, panel);
      else
        place_row(super, base == ir::DType::q5_k, n % kRows, panel);
    }
  return out;
}

}  // namespace lmc::models
