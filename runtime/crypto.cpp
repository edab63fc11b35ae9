#include "runtime/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "ir/error.h"

namespace lmc::runtime {

namespace {
[[noreturn]] void fail(const char* what) { throw Error(std::string("crypto: error: HMAC-SHA256 ") + what + " failed"); }
}  // namespace

struct HmacSha256::Impl {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;
  ~Impl() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
};

HmacSha256::HmacSha256(std::string_view key) : impl_(std::make_unique<Impl>()) {
  impl_->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (!impl_->mac) fail("setup");
  impl_->ctx = EVP_MAC_CTX_new(impl_->mac);
  if (!impl_->ctx) fail("setup");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_construct_end()};
  if (!EVP_MAC_init(impl_->ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params)) fail("init");
}

HmacSha256::~HmacSha256() = default;

void HmacSha256::update(std::string_view bytes) {
  if (!EVP_MAC_update(impl_->ctx, reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size())) fail("update");
}

Mac256 HmacSha256::finish() {
  Mac256 out{};
  size_t n = 0;
  if (!EVP_MAC_final(impl_->ctx, out.data(), &n, out.size()) || n != out.size()) fail("final");
  return out;
}

bool macs_equal(const Mac256& a, const Mac256& b) { return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0; }

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  for (size_t got = 0; got < n;) {
    ssize_t r = ::getrandom(out.data() + got, n - got, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) throw Error(std::string("crypto: error: no random bytes: ") + std::strerror(errno));
    got += static_cast<size_t>(r);
  }
  return out;
}

}  // namespace lmc::runtime
