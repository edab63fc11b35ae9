// The user's lines for `lmc chat`: on a terminal through libedit (Debian's BSD-licensed
// editline: cursor keys, Emacs bindings, Up and Down through the history, which persists in
// $XDG_STATE_HOME/lmc/chat_history, else ~/.local/state/lmc/chat_history, its last 1000
// lines); from a pipe or a file, plain lines.
#pragma once
#include <optional>
#include <string>

namespace lmc::tools {

class LineEditor {
 public:
  LineEditor();
  ~LineEditor();  // saves the history
  LineEditor(const LineEditor&) = delete;
  LineEditor& operator=(const LineEditor&) = delete;

  // One line without its newline, after the prompt "> " on a terminal; nullopt at the end
  // of input or when Ctrl-C interrupts the read.
  std::optional<std::string> read();
  // One message of one or more lines, joined by newlines, as llama.cpp's console reads them: a
  // line ending in `\` goes on to the next (the `\` dropped); with `multiline` the lines go on
  // until one ends in `\` or `/`. nullopt at the end of input with nothing read.
  std::optional<std::string> read_message(bool multiline);

 private:
  bool terminal_;
  std::string history_file_;  // "" : none
  std::string last_;          // the line read before: a repeat is not kept again
};

}  // namespace lmc::tools
