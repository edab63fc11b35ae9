#pragma once
// Large buffers backed by transparent huge pages where the kernel offers them on request
// (/sys/kernel/mm/transparent_hugepage/enabled = madvise): a weight packed at compile
// time lands in freshly mapped memory, and faulting it in 4 KiB pages cost more than
// packing it.
#include <cstddef>
#include <vector>

namespace lmc {

// Asks for huge pages over the whole 2 MiB pages inside [p, p + bytes); a no-op where
// the kernel refuses.
void advise_huge_pages(void* p, size_t bytes);

// An empty vector with room for n elements, advised before anything touched it: for
// contents appended piece by piece.
template <class T>
std::vector<T> huge_page_reserved(size_t n) {
  std::vector<T> v;
  v.reserve(n);
  advise_huge_pages(v.data(), n * sizeof(T));
  return v;
}

// A vector of n value-initialized elements whose storage was advised before it was touched.
template <class T>
std::vector<T> huge_page_vector(size_t n) {
  std::vector<T> v = huge_page_reserved<T>(n);
  v.resize(n);
  return v;
}

}  // namespace lmc
