#include "runtime/artifact/artifact_format.h"

#include <cstring>

#include "support/error.h"

namespace lmc::runtime::artifact_format {

namespace {

template <typename Int>
void put(std::string& out, Int v) {
  char b[sizeof(Int)];
  std::memcpy(b, &v, sizeof(Int));
  out.append(b, sizeof(Int));
}

// Reads sequentially from a byte range, failing with the caller's message on overrun.
class Cursor {
 public:
  Cursor(std::string_view bytes, uint64_t base, const std::string& path, const char* what)
      : bytes_(bytes), base_(base), path_(path), what_(what) {}
  template <typename Int>
  Int get() {
    Int v;
    std::memcpy(&v, take(sizeof(Int)).data(), sizeof(Int));
    return v;
  }
  std::string_view take(uint64_t n) {
    if (n > bytes_.size() - at_)
      throw error_at(path_ + ":offset " + std::to_string(base_ + at_), std::string(what_) + " is truncated");
    std::string_view s = bytes_.substr(at_, n);
    at_ += n;
    return s;
  }

 private:
  std::string_view bytes_;
  uint64_t base_;
  const std::string& path_;
  const char* what_;
  uint64_t at_ = 0;
};

}  // namespace

std::string encode_header(const Header& h) {
  std::string out(kMagic);
  put(out, h.version);
  put(out, h.section_count);
  put(out, h.table_offset);
  put(out, h.table_size);
  put(out, h.table_digest);
  out.append(reinterpret_cast<const char*>(h.seal.data()), h.seal.size());
  return out;
}

Header decode_header(std::string_view file, const std::string& path) {
  if (file.size() < kHeaderBytes)
    throw error_at(path, "file of " + std::to_string(file.size()) +
                             " bytes is too small to be an lmc artifact, and is not a GGUF file");
  if (file.substr(0, kMagic.size()) != kMagic)
    throw error_at(path, file.starts_with("GGUF") ? "a GGUF file, not an lmc artifact (bad magic): name it .gguf"
                                                  : "neither a GGUF file nor an lmc artifact (bad magic)");
  Cursor c(file.substr(kMagic.size(), kHeaderBytes - kMagic.size()), kMagic.size(), path, "header");
  Header h;
  h.version = c.get<uint32_t>();
  h.section_count = c.get<uint32_t>();
  h.table_offset = c.get<uint64_t>();
  h.table_size = c.get<uint64_t>();
  h.table_digest = c.get<uint64_t>();
  std::string_view seal = c.take(h.seal.size());
  std::memcpy(h.seal.data(), seal.data(), seal.size());
  return h;
}

std::string encode_table(const std::vector<TableEntry>& entries) {
  std::string out;
  for (const TableEntry& e : entries) {
    put(out, static_cast<uint32_t>(e.name.size()));
    out += e.name;
    put(out, e.offset);
    put(out, e.size);
    put(out, e.digest);
  }
  return out;
}

std::vector<TableEntry> decode_table(std::string_view table, uint64_t table_offset, uint32_t count,
                                     const std::string& path) {
  Cursor c(table, table_offset, path, "section table");
  std::vector<TableEntry> entries;
  for (uint32_t i = 0; i < count; ++i) {
    TableEntry e;
    uint32_t len = c.get<uint32_t>();
    if (len == 0 || len > kMaxSectionName)
      throw error_at(path,
                     "section table entry " + std::to_string(i) + " has a name of " + std::to_string(len) + " bytes");
    e.name = c.take(len);
    e.offset = c.get<uint64_t>();
    e.size = c.get<uint64_t>();
    e.digest = c.get<uint64_t>();
    entries.push_back(std::move(e));
  }
  return entries;
}

}  // namespace lmc::runtime::artifact_format
