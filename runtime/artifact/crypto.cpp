#include "runtime/artifact/crypto.h"

#include <nettle/hmac.h>
#include <nettle/memops.h>
#include <sys/random.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "support/error.h"

namespace lmc::runtime {

struct HmacSha256::Impl {
  hmac_sha256_ctx ctx;
};

HmacSha256::HmacSha256(std::string_view key) : impl_(std::make_unique<Impl>()) {
  hmac_sha256_set_key(&impl_->ctx, key.size(), reinterpret_cast<const uint8_t*>(key.data()));
}

HmacSha256::~HmacSha256() = default;

void HmacSha256::update(std::string_view bytes) {
  hmac_sha256_update(&impl_->ctx, bytes.size(), reinterpret_cast<const uint8_t*>(bytes.data()));
}

Mac256 HmacSha256::finish() {
  Mac256 out{};
  hmac_sha256_digest(&impl_->ctx, out.size(), out.data());
  return out;
}

bool macs_equal(const Mac256& a, const Mac256& b) { return memeql_sec(a.data(), b.data(), a.size()) != 0; }

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
