// The binary framing of an artifact (see artifact.h): header and section table
// encoding, shared by the writer and the reader. Host byte order is little-endian
// on every target lmc supports (x86-64), so integers are copied as they are.
#pragma once
#include <bit>
#include <cstdint>

#include <string>
#include <string_view>
#include <vector>
#include "runtime/artifact/crypto.h"

namespace lmc::runtime::artifact_format {

static_assert(std::endian::native == std::endian::little, "the artifact format is little-endian");

inline constexpr std::string_view kMagic = "LMCARTF1";
// magic, u32 version, u32 section count, u64 table offset, u64 table size, u64 table
// digest, then the 32-byte seal (see runtime/artifact/artifact_seal.h), which covers bytes
// [kMagic.size(), kSealOffset) of the header.
inline constexpr uint64_t kSealOffset = 40;
inline constexpr uint64_t kHeaderBytes = kSealOffset + 32;
inline constexpr uint64_t kSectionAlign = 64;
inline constexpr uint64_t kWeightsAlign = 4096;
inline constexpr uint64_t kTensorAlign = 64;
inline constexpr uint64_t kMaxSectionName = 256;

struct Header {
  uint32_t version = 0;
  uint32_t section_count = 0;
  uint64_t table_offset = 0;
  uint64_t table_size = 0;
  uint64_t table_digest = 0;
  Mac256 seal{};
};

struct TableEntry {
  std::string name;
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t digest = 0;  // runtime/artifact/digest.h's digest64 of the section's bytes
};

std::string encode_header(const Header& h);
// Throws lmc::Error "<path>: error: ..." on bad magic or a short header.
Header decode_header(std::string_view file, const std::string& path);

// Per entry: u32 name length, name, u64 offset, u64 size, u64 digest.
std::string encode_table(const std::vector<TableEntry>& entries);
// Throws lmc::Error when the table is truncated or a name is too long.
std::vector<TableEntry> decode_table(std::string_view table, uint64_t table_offset, uint32_t count,
                                     const std::string& path);

inline uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

}  // namespace lmc::runtime::artifact_format
