// The lmc subcommands. Each returns the process exit code: 0 ok, 1 error, 2 usage.
#pragma once

namespace lmc::tools {

int cmd_compile(int argc, char** argv);
int cmd_run(int argc, char** argv);
int cmd_opt(int argc, char** argv);
int cmd_inspect(int argc, char** argv);
int cmd_bench(int argc, char** argv);
int cmd_verify(int argc, char** argv);
int cmd_chat(int argc, char** argv);
int cmd_serve(int argc, char** argv);
int cmd_cache(int argc, char** argv);
int cmd_perplexity(int argc, char** argv);
int cmd_exec(int argc, char** argv);
int cmd_lit(int argc, char** argv);
int cmd_encode_image(int argc, char** argv);

class Args;
// The conversation of lmc chat, also behind lmc run --interactive.
int chat_command(const Args& a);

}  // namespace lmc::tools
