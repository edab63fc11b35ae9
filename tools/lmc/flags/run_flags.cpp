#include "tools/lmc/flags/run_flags.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "support/error.h"
#include "support/pending_file.h"
#include "tools/lmc/flags/constraint_flags.h"
#include "tools/lmc/flags/llama_flags.h"
#include "tools/lmc/flags/prompt_escapes.h"
#include "tools/lmc/flags/sampling_flags.h"
#include "tools/lmc/process/process_world.h"

namespace lmc::tools {

std::vector<FlagSpec> executor_flag_specs() {
  return {
      {"threads", true, "worker threads (default: the machine's cores)", "N", false, "t"},
      {"ctx-size", true, "positions the KV cache holds (default: the model's context); no recompiling", "N", false,
       "c"},
      {"profile", false, "print per-step and per-layer timing tables (as LMC_LOG=debug)"},
      {"trace-out", true, "write Chrome trace events of every kernel to FILE (open in Perfetto)", "FILE"},
      {"mlock", false,
       "lock the weights in RAM (as llama.cpp's --mlock): the OS can neither page them out nor "
       "drop them from the page cache"},
  };
}

std::vector<FlagSpec> generation_flag_specs() {
  std::vector<FlagSpec> s = {
      {"model", true, "the model (instead of the positional MODEL)", "MODEL", false, "m"},
      {"prompt", true, "the prompt (default: read stdin)", "TEXT", false, "p"},
      {"file", true, "read the prompt from FILE (- for stdin)", "FILE", false, "f"},
      {"max-tokens",
       true,
       "tokens to generate (default 128; 0: none, the prompt read but not shown; -1 and -2: until the end of "
       "text or of the context)",
       "N",
       false,
       "n",
       {"n-predict"}},
      {"stop",
       true,
       "stop when the text reaches STRING, printed as the text's end, as llama.cpp prints it (--prompts' "
       "answers end before it; repeatable)",
       "STRING",
       false,
       "r",
       {"reverse-prompt"}},
      {"logit-bias", true,
       "add BIAS to the logit of token ID before sampling, as llama.cpp's ID+BIAS or ID-BIAS (-inf bans it; "
       "repeatable)",
       "ID+BIAS", false, "l"},
      {"chat", false, "wrap the prompt in the model's chat template (also when --system is given)"},
      {"escape", false,
       "read \\n, \\r, \\t, \\', \\\", \\\\ and \\xHH in the prompt and --stop strings, as llama.cpp "
       "(the default)",
       "", false, "e"},
      {"no-escape", false, "take the prompt and --stop strings as written"},
      {"draft-max", true,
       "speculative decoding: guess up to N (1-7) next tokens per step from the text so far "
       "(prompt lookup) and keep those the model agrees with; greedy: the same text in fewer "
       "steps when the text repeats; sampling: the same distribution (default 0: off)",
       "N"},
      {"draft-model", true,
       "with --draft-max: the guesses come from MODEL, a smaller model with the same vocabulary "
       "(compiled with the same options), instead of from the text",
       "MODEL"},
  };
  for (auto& f : sampling_flag_specs()) s.push_back(f);
  for (auto& f : grammar_flag_specs()) s.push_back(f);
  for (auto& f : json_schema_flag_specs()) s.push_back(f);
  for (auto& f : llama_flag_specs()) s.push_back(f);
  return s;
}

LogLevel log_level(const Args& a) {
  const char* env = std::getenv("LMC_LOG");
  std::string v = env ? env : "";
  if (v == "trace") return LogLevel::Trace;
  if (v == "debug" || a.has("profile")) return LogLevel::Debug;
  return LogLevel::Off;
}

void check_parallel(int64_t n, const ir::ModelInfo& info) {
  if (n > info.step_tokens)
    throw UsageError("--parallel " + std::to_string(n) + " is more than the " + std::to_string(info.step_tokens) +
                     " rows a step of " + info.name + " holds");
}

runtime::ExecutorOptions executor_options(const Args& a) {
  runtime::ExecutorOptions o;
  o.threads = static_cast<int>(a.get_int("threads", runtime::default_threads(), 1, 1024));
  o.profile = log_level(a) != LogLevel::Off || a.has("trace-out");
  o.collectives = process_world();
  return o;
}

runtime::ExecutorOptions executor_options(const Args& a, const runtime::GenerateOptions& gen) {
  runtime::ExecutorOptions o = executor_options(a);
  o.max_logit_rows = std::max<int64_t>(o.max_logit_rows, gen.draft_max + 1);
  return o;
}

// llama.cpp's -l ID+BIAS, ID-BIAS (BIAS may be inf).
std::pair<int32_t, float> logit_bias(const std::string& v) {
  const size_t sign = v.find_first_of("+-", 1);
  int32_t id = -1;
  auto r = std::from_chars(v.data(), v.data() + std::min(sign, v.size()), id);
  float bias = 0;
  bool ok = sign != std::string::npos && r.ec == std::errc() && r.ptr == v.data() + sign && id >= 0;
  if (ok) {
    const std::string amount = v.substr(sign + 1);
    char* end = nullptr;
    bias = std::strtof(amount.c_str(), &end);
    ok = !amount.empty() && end == amount.c_str() + amount.size() && amount[0] != '+' && amount[0] != '-';
  }
  if (!ok)
    throw UsageError("option '--logit-bias' expects TOKEN+BIAS or TOKEN-BIAS (e.g. 15043+1, 2-inf), got '" + v + "'");
  return {id, v[sign] == '-' ? -bias : bias};
}

runtime::GenerateOptions generate_options(const Args& a) {
  runtime::GenerateOptions g;
  g.max_tokens = a.get_int("max-tokens", 128, -2, int64_t{1} << 30);
  // -1 and -2, as llama.cpp's -n: generation ends at the end of text or of the context
  // (lmc never shifts a full context, so llama.cpp's "forever" ends there too).
  if (g.max_tokens < 0) g.max_tokens = int64_t{1} << 62;
  g.sampling = sampling_options(a, {});  // greedy unless a flag says otherwise
  for (const std::string& bias : a.all("logit-bias")) g.sampling.logit_bias.push_back(logit_bias(bias));
  // Sampling without --seed draws one, as llama.cpp does, and says which: a run can be repeated.
  std::optional<uint64_t> seed = seed_flag(a);
  if (!seed && g.sampling.temperature > 0) seed = random_seed();
  g.sampling.seed = seed.value_or(0);
  if (g.sampling.temperature > 0)
    std::fprintf(stderr, "lmc: seed %llu\n", static_cast<unsigned long long>(g.sampling.seed));
  // Up to 8 rows a step, so every row takes the linears' decode path as it would alone.
  g.draft_max = a.get_int("draft-max", 0, 0, 7);
  return g;
}

void print_profile(const Args& a, runtime::Profiler& p) {
  LogLevel level = log_level(a);
  if (level != LogLevel::Off) {
    p.print_step_table(std::cerr);
    p.print_layer_table(std::cerr);
    p.print_steady_state(std::cerr);
  }
  if (level == LogLevel::Trace)
    for (size_t i = 0; i < p.steps().size(); ++i) p.print_trace(std::cerr, i);
  if (auto out = a.get("trace-out")) {
    std::ostringstream trace;
    p.write_chrome_trace(trace);
    runtime::write_output(*out, trace.str());
  }
}

void say_if_context_full(const runtime::GenerationStats& s, int64_t context) {
  if (s.end_pos < context) return;
  std::fprintf(stderr,
               "\nlmc: the context of %lld positions is full: generation stopped after %lld tokens (lmc does not "
               "shift it; -c N gives a longer one)\n",
               static_cast<long long>(context), static_cast<long long>(s.decode_tokens + 1));
}

std::string as_llama_reads(const Args& a, const std::string& text) {
  return a.has("no-escape") ? text : process_escapes(text);
}

std::vector<std::string> stop_strings(const Args& a) {
  std::vector<std::string> out;
  for (const auto& s : a.all("stop")) out.push_back(as_llama_reads(a, s));
  return out;
}

}  // namespace lmc::tools
