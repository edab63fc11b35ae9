// Scratch memory for generated kernels, too large for a thread's stack: the bf16 tile GEMM
// keeps a call's input rows in bf16 (up to tens of MiB at a 7B model's K) so that each
// weight is decoded once per call (codegen/llvm/linear/bf16_tiles.h). A kernel asks for
// `bytes` at the start of a call and gets this thread's buffer, grown when too small and
// kept for the thread's life, so a call pays neither an allocation nor page faults once
// the thread has run one call of that size. Its contents do not survive from one call to
// the next. The linker resolves generated code's calls to it (orc_kernel_linker.cpp).
#pragma once
#include <cstdint>

extern "C" void* lmc_thread_scratch(int64_t bytes);
