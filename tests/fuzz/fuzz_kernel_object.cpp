// The kernels' object code as the kernel loader links it (codegen/loader/linker/orc_kernel_linker.h):
// LLVM ORC and JITLink parse the ELF file, build its link graph, place and relocate it.
// Only sealed artifacts' code is ever run, but loading must refuse any other bytes with an
// error, never a crash or a write outside its memory. The input is linked, never called.
#include <cstdint>
#include <string_view>

#include "codegen/loader/linker/orc_kernel_linker.h"
#include "support/error.h"
#include "tests/fuzz/fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    lmc::codegen::orc_link_kernels(lmc::fuzz::as_text(data, size), "fuzz.lmc:kernels", {});
  } catch (const lmc::Error&) {
  }
  return 0;
}
