// llama.cpp's interactive mode without a chat template (`-i -r "User:"`, `-if`): one
// transcript the model continues. The prompt is printed and continued; where the text
// ends with a reverse prompt (--stop, -r) the model waits, and the line read — with
// --in-prefix before it and --in-suffix after — is added to the transcript, which the
// model goes on with. The KV cache holds the transcript, so a turn reads only its own
// tokens. Ends at the end of input, or when the context is full (said on stderr).
#pragma once
#include <string>
#include <vector>

#include "tools/lmc/flags/cli_args.h"

namespace lmc::tools {

std::vector<FlagSpec> raw_transcript_flag_specs();
// -if, or -i with -r, --in-prefix or --in-suffix (a bare -i chats, as -cnv).
bool raw_transcript_asked(const Args& a);
// Returns the exit code.
int run_raw_transcript(const Args& a, const std::string& model);

}  // namespace lmc::tools
