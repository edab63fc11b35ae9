// The cryptography of the artifact seal: HMAC-SHA256, a constant-time compare and
// random keys. The one place lmc touches a crypto library (Nettle: light to load, where
// OpenSSL 3's provider set-up alone cost 2.2 MB of resident memory at every run):
// nothing else includes its headers, so the library could be swapped here alone.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lmc::runtime {

using Mac256 = std::array<uint8_t, 32>;

class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  void update(std::string_view bytes);
  Mac256 finish();  // the MAC of everything passed to update(); call once

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Compares in time independent of where the MACs differ, so a forger learns nothing
// from how long a refusal takes.
bool macs_equal(const Mac256& a, const Mac256& b);

// `n` bytes from the kernel's random source (getrandom), for new keys.
std::string random_bytes(size_t n);

}  // namespace lmc::runtime
