// llama.cpp's daily flags that mean nothing on a CPU or for lmc (GPU offload, devices and
// fitting, flash-attention switches, mmap, colours, the prompt's own thread count, warm-up,
// context shifting, which lmc never does), accepted by run, chat, serve and bench so that a llama.cpp
// command line runs, each saying once why it does nothing; and -hf, which lmc cannot honour
// (no network) and refuses as a usage error.
#pragma once
#include <vector>

#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> llama_flag_specs();
// llama-server's switches for what lmc serve does always (continuous batching,
// /slots, /props) or by itself (its HTTP threads), accepted the same way by serve.
std::vector<FlagSpec> llama_server_flag_specs();

// Throws UsageError for a llama.cpp flag lmc refuses (-hf).
void refuse_llama_flags(const Args& a);

}  // namespace lmc::tools
