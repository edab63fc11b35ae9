// Zero-initialised heap bytes aligned for the widest vector loads kernels make.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

namespace lmc::runtime {

class AlignedBuffer {
 public:
  static constexpr std::align_val_t kAlign{64};
  AlignedBuffer() = default;
  explicit AlignedBuffer(uint64_t bytes)
      : data_(bytes ? static_cast<std::byte*>(::operator new(bytes, kAlign)) : nullptr), bytes_(bytes) {
    clear();
  }
  ~AlignedBuffer() {
    if (data_) ::operator delete(data_, kAlign);
  }
  AlignedBuffer(AlignedBuffer&& o) noexcept : data_(o.data_), bytes_(o.bytes_) {
    o.data_ = nullptr;
    o.bytes_ = 0;
  }
  AlignedBuffer& operator=(AlignedBuffer&& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(bytes_, o.bytes_);
    return *this;
  }
  AlignedBuffer(const AlignedBuffer&) = delete;
  AlignedBuffer& operator=(const AlignedBuffer&) = delete;

  std::byte* data() const { return data_; }
  uint64_t bytes() const { return bytes_; }
  void clear() {
    if (data_) std::memset(data_, 0, bytes_);
  }

 private:
  std::byte* data_ = nullptr;
  uint64_t bytes_ = 0;
};

}  // namespace lmc::runtime
