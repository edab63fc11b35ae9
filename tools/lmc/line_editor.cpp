#include "tools/lmc/line_editor.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <editline/readline.h>

namespace lmc::tools {

namespace {

constexpr int kHistoryLines = 1000;

std::string history_path() {
  namespace fs = std::filesystem;
  fs::path dir;
  if (const char* state = std::getenv("XDG_STATE_HOME"); state && *state)
    dir = state;
  else if (const char* home = std::getenv("HOME"); home && *home)
    dir = fs::path(home) / ".local" / "state";
  else
    return "";
  dir /= "lmc";
  std::error_code ec;
  fs::create_directories(dir, ec);
  return ec ? "" : (dir / "chat_history").string();
}

// A line read without libedit: getline, its newline dropped.
std::optional<std::string> plain_line() {
  char* line = nullptr;
  size_t cap = 0;
  ssize_t n = getline(&line, &cap, stdin);
  std::optional<std::string> out;
  if (n >= 0) out = std::string(line, static_cast<size_t>(n));
  std::free(line);
  while (out && !out->empty() && (out->back() == '\n' || out->back() == '\r')) out->pop_back();
  return out;
}

}  // namespace

LineEditor::LineEditor() : terminal_(isatty(STDIN_FILENO) && isatty(STDERR_FILENO)) {
  if (!terminal_) return;
  // The prompt and the editing go to stderr, so stdout holds only the answers.
  rl_outstream = stderr;
  using_history();
  stifle_history(kHistoryLines);
  history_file_ = history_path();
  if (!history_file_.empty()) read_history(history_file_.c_str());  // none yet is fine
}

LineEditor::~LineEditor() {
  if (terminal_ && !history_file_.empty()) write_history(history_file_.c_str());
}

std::optional<std::string> LineEditor::read() {
  if (!terminal_) return plain_line();
  char* line = readline("> ");
  if (!line) return std::nullopt;
  std::string out(line);
  std::free(line);
  if (!out.empty() && out != last_) add_history(out.c_str());
  last_ = out;
  return out;
}

}  // namespace lmc::tools
