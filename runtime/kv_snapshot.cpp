#include "runtime/kv_snapshot.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <string_view>

#include "runtime/artifact/digest.h"
#include "support/error.h"
#include "support/pending_file.h"
#include "support/regular_file.h"

namespace lmc::runtime {

namespace {

constexpr std::string_view kMagic = "LMCKVSN1";

void put_u32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t get(std::string_view bytes, size_t at, int width) {
  uint64_t v = 0;
  for (int i = 0; i < width; ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(bytes[at + static_cast<size_t>(i)])) << (8 * i);
  return v;
}

std::string_view as_text(std::span<const std::byte> s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }

uint64_t body_digest(std::span<const int32_t> tokens, const std::vector<std::span<std::byte>>& rows) {
  Digest64Stream d;
  d.update(as_text(std::as_bytes(tokens)));
  for (auto r : rows) d.update(as_text(r));
  return d.value();
}

struct Header {
  uint64_t identity, tokens, row_bytes, digest;
};

Header parse_header(std::string_view h, const std::string& path, const KvSnapshotExpect& expect) {
  if (h.size() < kKvSnapshotHeaderBytes || h.substr(0, kMagic.size()) != kMagic)
    throw Error(path + ": error: not an lmc KV-cache snapshot (no LMCKVSN1 header)");
  if (const uint64_t version = get(h, 8, 4); version != kKvSnapshotVersion)
    throw Error(path + ": error: a KV-cache snapshot of version " + std::to_string(version) + "; this lmc reads " +
                std::to_string(kKvSnapshotVersion));
  Header r{get(h, 16, 8), get(h, 24, 8), get(h, 32, 8), get(h, 40, 8)};
  if (r.identity != expect.identity)
    throw Error(path + ": error: the KV-cache snapshot was saved from another model or KV-cache layout (another " +
                "weights file, compile or cache type)");
  if (r.tokens == 0 || r.tokens > static_cast<uint64_t>(expect.max_tokens))
    throw Error(path + ": error: the snapshot holds " + std::to_string(r.tokens) + " tokens; the context holds 1 to " +
                std::to_string(expect.max_tokens));
  return r;
}

// Reads exactly `n` bytes into `out`, or says where the file ends.
void read_exact(int fd, std::byte* out, uint64_t n, const std::string& path) {
  while (n > 0) {
    const ssize_t got = ::read(fd, out, std::min<uint64_t>(n, uint64_t{1} << 30));
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw Error(path + ": error: cannot read: " + std::strerror(errno));
    if (got == 0) throw Error(path + ": error: the KV-cache snapshot is truncated");
    out += got;
    n -= static_cast<uint64_t>(got);
  }
}

struct Fd {
  int fd;
  ~Fd() { ::close(fd); }
};

}  // namespace

uint64_t kv_snapshot_identity(uint64_t model, const std::string& layout) {
  std::string text;
  put_u64(text, model);
  return digest64(text + layout);
}

uint64_t write_kv_snapshot(const std::string& path, uint64_t identity, std::span<const int32_t> tokens,
                           const std::vector<std::span<std::byte>>& rows) {
  std::error_code ec;
  const auto status = std::filesystem::symlink_status(path, ec);
  if (!ec && std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
    throw Error(path + ": error: not a regular file; a KV-cache snapshot never replaces one");
  uint64_t row_bytes = 0;
  for (auto r : rows) row_bytes += r.size();
  std::string header(kMagic);
  put_u32(header, kKvSnapshotVersion);
  put_u32(header, 0);
  put_u64(header, identity);
  put_u64(header, tokens.size());
  put_u64(header, row_bytes);
  put_u64(header, body_digest(tokens, rows));
  PendingFile out(path);
  out.write(header);
  out.write(as_text(std::as_bytes(tokens)));
  for (auto r : rows) out.write(as_text(r));
  out.commit();
  return out.size();
}

KvSnapshotRead read_kv_snapshot(const std::string& path, const KvSnapshotExpect& expect,
                                const std::function<std::vector<std::span<std::byte>>(int64_t)>& rows) {
  Fd f{open_regular_file(path)};
  struct stat st{};
  if (::fstat(f.fd, &st) != 0) throw Error(path + ": error: cannot read: " + std::strerror(errno));
  const auto file_bytes = static_cast<uint64_t>(st.st_size);
  std::string h(kKvSnapshotHeaderBytes, '\0');
  if (file_bytes < kKvSnapshotHeaderBytes) h.resize(static_cast<size_t>(file_bytes));
  read_exact(f.fd, reinterpret_cast<std::byte*>(h.data()), h.size(), path);
  const Header header = parse_header(h, path, expect);
  std::vector<std::span<std::byte>> into = rows(static_cast<int64_t>(header.tokens));
  uint64_t row_bytes = 0;
  for (auto r : into) row_bytes += r.size();
  if (row_bytes != header.row_bytes)
    throw Error(path + ": error: the snapshot's rows are " + std::to_string(header.row_bytes) +
                " bytes; the caches take " + std::to_string(row_bytes));
  if (file_bytes != kKvSnapshotHeaderBytes + header.tokens * 4 + row_bytes)
    throw Error(path + ": error: the KV-cache snapshot is " + std::to_string(file_bytes) + " bytes; its header says " +
                std::to_string(kKvSnapshotHeaderBytes + header.tokens * 4 + row_bytes) + " (truncated or damaged)");
  KvSnapshotRead r;
  r.tokens.resize(static_cast<size_t>(header.tokens));
  read_exact(f.fd, reinterpret_cast<std::byte*>(r.tokens.data()), header.tokens * 4, path);
  for (auto span : into) read_exact(f.fd, span.data(), span.size(), path);
  if (body_digest(r.tokens, into) != header.digest)
    throw Error(path + ": error: the KV-cache snapshot is damaged (its body does not match its digest)");
  for (int32_t t : r.tokens)
    if (t < 0 || t >= expect.vocab)
      throw Error(path + ": error: the snapshot holds token " + std::to_string(t) + ", outside the vocabulary of " +
                  std::to_string(expect.vocab));
  r.bytes = file_bytes;
  return r;
}

}  // namespace lmc::runtime
