// Content digests of artifact sections and tensors: XXH3-64, fast enough to check every
// byte of the weights at each open (detects a corrupt or truncated copy). Not a MAC: it
// says nothing about who wrote the bytes; runtime/artifact/artifact_seal.h does that.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace lmc::runtime {

uint64_t digest64(std::string_view bytes);
std::string digest_hex(uint64_t d);  // 16 lower-case hex digits

// The digest of bytes that arrive in pieces (the weights, as the writer streams them);
// equal to digest64 of their concatenation.
class Digest64Stream {
 public:
  Digest64Stream();
  ~Digest64Stream();
  Digest64Stream(const Digest64Stream&) = delete;
  Digest64Stream& operator=(const Digest64Stream&) = delete;
  void update(std::string_view bytes);
  uint64_t value() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lmc::runtime
