// lmc chat: a multi-turn conversation with a model (artifact, model YAML, GGUF or HF folder).
#include <iostream>

#include "runtime/executor.h"
#include "support/error.h"
#include "tools/lmc/chat/chat_session.h"
#include "tools/lmc/commands/commands.h"
#include "tools/lmc/flags/artifact_flags.h"
#include "tools/lmc/flags/cache_flags.h"
#include "tools/lmc/flags/chat_template_flag.h"
#include "tools/lmc/flags/constraint_flags.h"
#include "tools/lmc/flags/jit_flags.h"
#include "tools/lmc/flags/model_flags.h"
#include "tools/lmc/flags/pass_flags.h"
#include "tools/lmc/flags/run_flags.h"
#include "tools/lmc/reports/load_summary.h"

namespace lmc::tools {

namespace {

std::vector<FlagSpec> specs() {
  std::vector<FlagSpec> s;
  for (auto& f : generation_flag_specs())
    if (f.name != "chat" && f.name != "draft-model") s.push_back(f);
  for (auto& f : chat_flag_specs()) s.push_back(f);
  for (auto& f : executor_flag_specs()) s.push_back(f);
  for (auto& f : open_flag_specs()) s.push_back(f);
  s.push_back({"help", false, "show this help", "", false, "h"});
  return s;
}

}  // namespace

int chat_command(const Args& a) {
  auto gen = generate_options(a);
  // An answer ends at the model's end of turn, unless a limit was asked for.
  if (!a.has("max-tokens")) gen.max_tokens = int64_t{1} << 30;
  const ConstraintFlags constraint = constraint_flags(a);
  auto exec_opts = executor_options(a, gen);
  const std::string model = model_argument(a, "lmc chat");
  driver::LoadedModel m = open_model(model, a);
  gen.constraint = constraint_maker(constraint, *m.tokenizer, gen.max_tokens);
  models::ChatTemplate rendering = chat_template(m, a, model);
  runtime::Executor ex(*m.graph, m.kernels, *m.weights, m.info, exec_opts);
  print_load_summary(m, ex);
  return run_chat(m, ex, rendering, {system_message(a), a.get("prompt"), gen, a.has("multiline-input")});
}

int cmd_chat(int argc, char** argv) {
  load_pass_plugins(argc, argv);
  std::optional<Args> parsed =
      command_args(specs(), argc, argv,
                   "usage: lmc chat MODEL.lmc|MODEL.yaml|MODEL.gguf|HF_FOLDER [options]\n\n"
                   "Talks with a model: each line of stdin is a message; the answer streams to stdout.\n"
                   "The conversation stays in the KV cache, so a turn costs only its own tokens.\n"
                   "Ctrl-C stops the current answer, Ctrl-D (or Ctrl-C at the prompt) leaves.\n"
                   "Chats are rendered with the weights' own Jinja chat template (--chat-template-file F\n"
                   "overrides it); without one, with the known family lmc recognizes, or the model\n"
                   "definition's 'chat:'.\n\noptions:\n",
                   kCli);
  if (!parsed) return 0;  // --help
  const Args& a = *parsed;
  return chat_command(a);
}

}  // namespace lmc::tools
