#include "codegen/kernel_load_options.h"

namespace lmc::codegen {

namespace {
KernelLoadOptions& options() {
  static KernelLoadOptions o;
  return o;
}
}  // namespace

void set_kernel_load_options(const KernelLoadOptions& o) { options() = o; }
const KernelLoadOptions& kernel_load_options() { return options(); }

}  // namespace lmc::codegen
