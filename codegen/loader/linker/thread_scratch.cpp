#include "codegen/loader/linker/thread_scratch.h"

#include <sys/mman.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>

namespace {

// Huge pages where the kernel grants them: the GEMM streams the buffer once per column block.
constexpr size_t kAlign = size_t{2} << 20;

// Generated code has no unwind tables, so no exception may cross it: a scratch that
// cannot be had ends the process with the reason, as an allocation failure would.
[[noreturn]] void out_of_memory(size_t bytes) {
  std::fprintf(stderr, "lmc: out of memory: a kernel's scratch of %zu MiB could not be mapped\n", bytes >> 20);
  std::_Exit(1);
}

class Scratch {
 public:
  ~Scratch() {
    if (base_) munmap(base_, size_);
  }
  void* at_least(size_t bytes) {
    if (bytes <= size_) return base_;
    const size_t size = (bytes + kAlign - 1) / kAlign * kAlign;
    void* p = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) out_of_memory(size);
    madvise(p, size, MADV_HUGEPAGE);
    if (base_) munmap(base_, size_);
    base_ = p;
    size_ = size;
    return base_;
  }

 private:
  void* base_ = nullptr;
  size_t size_ = 0;
};

thread_local Scratch scratch;

}  // namespace

extern "C" void* lmc_thread_scratch(int64_t bytes) {
  return scratch.at_least(bytes > 0 ? static_cast<size_t>(bytes) : 1);
}
