// Flags of `lmc run` and `lmc bench` beyond the compile flags: threads and profiling,
// and the generation settings.
#pragma once
#include <vector>

#include "ir/model_info.h"
#include "runtime/executor.h"
#include "runtime/generator.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> executor_flag_specs();
std::vector<FlagSpec> generation_flag_specs();
runtime::ExecutorOptions executor_options(const Args& a);
runtime::GenerateOptions generate_options(const Args& a);
// The options an executor needs for `gen` beside `a`'s: logits rows for a draft's rows.
runtime::ExecutorOptions executor_options(const Args& a, const runtime::GenerateOptions& gen);
// LMC_LOG=debug|trace turn on profiling as --profile does; trace adds per-kernel lines.
enum class LogLevel { Off, Debug, Trace };
LogLevel log_level(const Args& a);
// The step and layer tables (--profile, LMC_LOG), per-kernel lines (trace) and --trace-out.
void print_profile(const Args& a, runtime::Profiler& p);
// Throws UsageError unless `n` sequences fit one step of the model (one row each).
void check_parallel(int64_t n, const ir::ModelInfo& info);

// A generation that the context's end stopped (the caller knows it was not the end of text
// or a stop string) says so on stderr, as llama.cpp says why it stopped: lmc does not shift
// a full context.
void say_if_context_full(const runtime::GenerationStats& s, int64_t context);

// A prompt or --stop string as llama.cpp reads it: its escapes processed unless --no-escape.
std::string as_llama_reads(const Args& a, const std::string& text);
// The --stop strings so read.
std::vector<std::string> stop_strings(const Args& a);

}  // namespace lmc::tools
