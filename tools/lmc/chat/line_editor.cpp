#include "tools/lmc/chat/line_editor.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include <editline/readline.h>

#include "support/anonymous_file.h"
#include "support/error.h"
#include "support/pending_file.h"

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

// libedit writes its history only to a path it opens itself: it writes into an anonymous
// file, whose bytes then replace the history file as any output of lmc's does (whole, by a
// rename, through a symbolic link to dotfiles kept elsewhere). Kept as it was on failure.
void save_history(const std::string& path) {
  try {
    runtime::AnonymousFile made;
    if (write_history(made.path().c_str()) != 0) return;
    std::string text = made.contents();
    if (text.empty()) return;
    runtime::PendingFile f(path, 0600);  // a new history is private, as libedit makes it
    f.write(text);
    f.commit();
  } catch (const Error&) {
    // The history is a convenience: a session's end is no place for an error.
  }
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
  if (terminal_ && !history_file_.empty()) save_history(history_file_);
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

std::optional<std::string> LineEditor::read_message(bool multiline) {
  std::optional<std::string> message;
  while (auto line = read()) {
    bool more = multiline;
    if (!line->empty() && line->back() == '/') {
      line->pop_back();
      more = false;
    } else if (!line->empty() && line->back() == '\\') {
      line->pop_back();
      more = !more;
    }
    message = message ? *message + "\n" + *line : *line;
    if (!more) break;
  }
  return message;
}

}  // namespace lmc::tools
