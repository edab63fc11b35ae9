// The text of a generation as it may be shown: each token through the stream decoder
// (whole UTF-8 characters only), then through the stop strings (nothing from a stop
// string on). lmc run, lmc run --prompts and lmc serve stream their text through it.
#pragma once
#include <string>
#include <vector>

#include "models/tokenizer/tokenizer_stream_decoder.h"
#include "tools/lmc/generation/stop_strings.h"

namespace lmc::tools {

class GeneratedText {
 public:
  GeneratedText(const models::Tokenizer& tok, std::vector<std::string> stops)
      : decoder_(tok), stop_(std::move(stops)) {}
  // The next token; returns the text that can be shown now.
  std::string push(int32_t id) { return stop_.push(decoder_.push(id)); }
  // At the end of generation: what was held back.
  std::string finish() { return stop_.push(decoder_.flush()) + stop_.flush(); }
  bool stopped() const { return stop_.stopped(); }
  const std::string& stopping_word() const { return stop_.matched(); }
  // OpenAI's finish_reason: "stop" at the end of text or a stop string, else "length".
  const char* finish_reason(bool hit_eog) const { return hit_eog || stopped() ? "stop" : "length"; }

 private:
  models::StreamDecoder decoder_;
  StopStrings stop_;
};

}  // namespace lmc::tools
