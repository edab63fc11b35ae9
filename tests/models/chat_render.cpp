// Test tool: renders a conversation the way `lmc chat` feeds it to a model, so a test can
// compare it with what the chat template itself renders (test_chat_templates.py, Jinja).
//   chat_render TEMPLATE.jinja [--system TEXT] USER [ANSWER USER]...
// prints the recognized family on the first line, then the text: each user message's turn
// text followed by the given answer, as the KV cache would hold it.
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "models/chat/chat_conversation.h"
#include "models/chat/chat_format.h"
#include "support/error.h"
#include "support/regular_file.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: chat_render TEMPLATE.jinja [--system TEXT] USER [ANSWER USER]...\n";
    return 2;
  }
  try {
    auto format = lmc::models::chat_format_of_template(lmc::read_regular_file(argv[1]));
    if (!format) {
      std::cout << "unknown\n";
      return 0;
    }
    int i = 2;
    std::optional<std::string> system;
    if (std::string(argv[i]) == "--system" && i + 1 < argc) {
      system = argv[i + 1];
      i += 2;
    }
    lmc::models::Conversation c(*format, system);
    std::string text;
    for (; i < argc; i += 2) {
      text += c.ask(argv[i]);
      if (i + 1 < argc) text += argv[i + 1];
    }
    std::cout << format->family << "\n" << text;
  } catch (const lmc::Error& e) {
    std::cerr << e.what() << "\n";
    return 1;
  }
  return 0;
}
