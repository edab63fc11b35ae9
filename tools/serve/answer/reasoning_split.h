// A chat answer's reasoning parted from its content, as llama-server parts a reasoning
// model's answer (tools/serve/engine/reasoning_format.h): text between <think> and </think> at the
// answer's start — or from its start, when the prompt's generation prompt already opened
// <think> — is the reasoning, without the whitespace around it; the content is what follows
// </think>, without the whitespace it begins with. An answer that ends inside its reasoning
// (max_tokens, a stop string) is all reasoning; one that does not begin with <think> is all
// content.
//
// A stream feeds the answer's pieces as they come and sends each Parts as deltas; a whole
// answer is the same split fed at once, so the deltas of a stream join to the whole answer's
// fields byte for byte wherever the pieces were cut (a tag or the whitespace after one
// split across pieces is held back until it is known).
#pragma once
#include <string>
#include <string_view>

#include "tools/serve/engine/reasoning_format.h"

namespace lmc::tools {

inline constexpr std::string_view kThinkOpen = "<think>", kThinkClose = "</think>";

// Whether a rendered prompt ends inside an opened <think> (whitespace after it allowed),
// as DeepSeek-R1's and Qwen3's generation prompts may leave it.
bool prompt_opens_reasoning(std::string_view prompt);

class ReasoningSplit {
 public:
  struct Parts {
    std::string reasoning, content;
  };
  // `format` None: everything is content. `opened`: the prompt opened <think> (prompt_opens_reasoning).
  ReasoningSplit(ReasoningFormat format, bool opened);
  // What a piece of the answer adds to each now.
  Parts piece(std::string_view text);
  // What is left once the answer ended.
  Parts end();

 private:
  enum class Mode { Deciding, Reasoning, AfterReasoning, Content };
  void decide(Parts& out);
  void reason(Parts& out);
  void after_reasoning(Parts& out);

  bool legacy_;      // deepseek-legacy: the content is the whole answer as written
  Mode mode_;
  std::string held_;  // bytes not yet told apart (a tag begun, whitespace that may be trimmed)
  bool reasoned_ = false;  // some reasoning was sent: its leading whitespace is gone
};

// A whole answer's parts.
ReasoningSplit::Parts split_reasoning(ReasoningFormat format, bool opened, std::string_view answer);

}  // namespace lmc::tools
