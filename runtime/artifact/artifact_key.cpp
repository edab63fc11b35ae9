#include "runtime/artifact/artifact_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "runtime/artifact/crypto.h"
#include "support/error.h"
#include "support/pending_file.h"

namespace lmc::runtime {

namespace {

constexpr size_t kSecretBytes = 32;

std::string to_hex(std::string_view bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string error_text(int err) { return std::strerror(err); }

std::string read_small_file(int fd, const std::string& path) {
  std::string text(2 * kSecretBytes + 2, '\0');
  ssize_t n;
  do n = ::read(fd, text.data(), text.size());
  while (n < 0 && errno == EINTR);
  if (n < 0) throw error_at(path, "cannot read the artifact key: " + error_text(errno));
  text.resize(static_cast<size_t>(n));
  return text;
}

// Creates the directories (0700: the key's folder is nobody else's business) and the key
// file itself (PendingFile::commit_new, a hard link), so a concurrent lmc sees either no key
// or a whole one, and the first writer's key wins.
void create_key_file(const std::string& path) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(path).parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    fs::create_directories(dir.parent_path(), ec);
    if (ec || (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST))
      throw error_at(dir.string(),
                     "cannot create the artifact key's directory: " + (ec ? ec.message() : error_text(errno)));
  }
  PendingFile f(path, 0600);
  f.write(to_hex(random_bytes(kSecretBytes)) + "\n");
  f.commit_new();  // false: another lmc made the key meanwhile, and its key is the one
}

}  // namespace

std::string user_key_path() {
  if (const char* f = std::getenv("LMC_KEY_FILE"); f && *f) return f;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return std::string(x) + "/lmc/key";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.config/lmc/key";
  throw Error("lmc: error: cannot find the artifact key: set LMC_KEY_FILE, XDG_CONFIG_HOME or HOME");
}

ArtifactKey user_key() {
  std::string path = user_key_path();
  if (::access(path.c_str(), F_OK) != 0 && errno == ENOENT) create_key_file(path);
  return read_key_file(path);
}

ArtifactKey read_key_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw error_at(path, "cannot open the artifact key: " + error_text(errno));
  struct stat st{};
  std::string text;
  bool stat_ok = ::fstat(fd, &st) == 0;
  if (stat_ok && S_ISREG(st.st_mode)) text = read_small_file(fd, path);
  ::close(fd);
  if (!stat_ok || !S_ISREG(st.st_mode)) throw error_at(path, "the artifact key is not a regular file");
  if (st.st_uid != ::geteuid() || (st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    throw error_at(path, std::string("the artifact key must be yours and private (it is mode ") + mode +
                             "): anyone who can read it can forge artifacts you run; chmod 600 it");
  }
  if (!text.empty() && text.back() == '\n') text.pop_back();
  ArtifactKey key{std::string(kSecretBytes, '\0'), path};
  bool hex = text.size() == 2 * kSecretBytes;
  for (size_t i = 0; hex && i < kSecretBytes; ++i) {
    int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
    hex = hi >= 0 && lo >= 0;
    key.secret[i] = static_cast<char>(hi * 16 + lo);
  }
  if (!hex) throw error_at(path, "the artifact key is not 64 hex digits");
  return key;
}

}  // namespace lmc::runtime
