// The kernels' object code as lmc's own linker reads it (runtime/kernel_object.h): ELF
// header, section table, symbols, relocations. Only sealed artifacts' code is ever run,
// but the loader must refuse any other bytes with an error, never a crash or a write
// outside its mapping. The input is loaded, never called.
#include <cstdint>
#include <string_view>

#include "ir/error.h"
#include "runtime/kernel_object.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    auto object = lmc::runtime::KernelObject::load(lmc::fuzz::as_text(data, size), "fuzz.lmc:kernels");
    object->lookup("kernel");
  } catch (const lmc::Error&) {
  }
  return 0;
}
