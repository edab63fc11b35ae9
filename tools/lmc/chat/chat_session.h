// An interactive conversation with a model (`lmc chat`, `lmc run --interactive`): each line
// read is a user message, the answer streams to stdout, and the KV cache keeps every turn
// so a new message costs only its own tokens (and the end of the answer before it); each answer's speed follows it on
// stderr. On a terminal, lines are edited and recalled with libedit (tools/lmc/chat/line_editor.h). Ctrl-C stops the
// current answer (at the prompt, it leaves); Ctrl-D leaves.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "driver/open_model.h"
#include "models/chat/chat_template.h"
#include "runtime/executor.h"
#include "runtime/generator.h"
#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

struct ChatOptions {
  std::optional<std::string> system;  // nullopt: the model's default system message
  std::optional<std::string> first;  // a first message, before reading stdin
  runtime::GenerateOptions generation;
  bool multiline = false;  // a message's lines go on until one ends in `\` (--multiline-input)
};

std::vector<FlagSpec> chat_flag_specs();
// The system message --system gives (--system= with nothing means none).
std::optional<std::string> system_message(const Args& a);

// Returns the exit code. Each turn renders the whole conversation with `chat` and reads only
// the tokens past what the KV cache already holds.
int run_chat(const driver::LoadedModel& m, runtime::Executor& ex, const models::ChatTemplate& chat,
             const ChatOptions& opts);

}  // namespace lmc::tools
