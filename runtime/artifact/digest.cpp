#include "runtime/artifact/digest.h"

#include <xxhash.h>

#include <cstdio>
#include <new>

namespace lmc::runtime {

uint64_t digest64(std::string_view bytes) { return XXH3_64bits(bytes.data(), bytes.size()); }

std::string digest_hex(uint64_t d) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(d));
  return buf;
}

struct Digest64Stream::Impl {
  XXH3_state_t* state = XXH3_createState();
  ~Impl() { XXH3_freeState(state); }
};

Digest64Stream::Digest64Stream() : impl_(std::make_unique<Impl>()) {
  if (!impl_->state) throw std::bad_alloc();
  XXH3_64bits_reset(impl_->state);
}

Digest64Stream::~Digest64Stream() = default;

void Digest64Stream::update(std::string_view bytes) { XXH3_64bits_update(impl_->state, bytes.data(), bytes.size()); }

uint64_t Digest64Stream::value() const { return XXH3_64bits_digest(impl_->state); }

}  // namespace lmc::runtime
