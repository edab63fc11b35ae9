#include "tools/lmc/chat/chat_session.h"
#include "tools/lmc/generation/tokenizer_bounds.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include "models/tokenizer/tokenizer_stream_decoder.h"
#include "support/error.h"
#include "tools/lmc/chat/line_editor.h"
#include "tools/lmc/flags/chat_template_flag.h"

namespace lmc::tools {
namespace {

std::atomic<bool> g_interrupted{false};

void on_sigint(int) { g_interrupted = true; }

// Without SA_RESTART, Ctrl-C at the prompt makes the blocked read return EINTR.
void catch_ctrl_c() {
  struct sigaction sa = {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
}

class Chat {
 public:
  Chat(const driver::LoadedModel& m, runtime::Executor& ex, const models::ChatTemplate& chat, const ChatOptions& opts)
      : m_(m), ex_(ex), chat_(chat), opts_(opts), messages_(chat.opening(opts.system)) {}

  // Streams the answer to one message. When the conversation no longer fits the context, a
  // new one starts; a message that alone does not fit is refused with an error line.
  void answer(const std::string& message) {
    const int64_t context = ex_.info().context;
    messages_.push_back({{"role", "user"}, {"content", message}});
    std::vector<int32_t> ids = rendered_tokens();
    if (static_cast<int64_t>(ids.size()) >= context) {
      std::fprintf(stderr, "lmc: the conversation has filled the context of %lld tokens; starting a new one\n",
                   static_cast<long long>(context));
      messages_ = chat_.opening(opts_.system);
      messages_.push_back({{"role", "user"}, {"content", message}});
      cached_.clear();
      ids = rendered_tokens();
      if (static_cast<int64_t>(ids.size()) >= context) {
        std::fprintf(stderr, "lmc: error: the message is %zu tokens, more than the context holds\n", ids.size());
        messages_ = chat_.opening(opts_.system);
        return;
      }
    }
    stream(ids);
  }

 private:
  // The whole conversation, rendered and tokenized afresh each turn.
  std::vector<int32_t> rendered_tokens() const {
    const models::Tokenizer& tok = *m_.tokenizer;
    std::string text = chat_.for_encoding(chat_.render(messages_, true), tok.wants_bos());
    return tok.encode(text, tok.wants_bos());
  }

  // The KV cache holds `cached_`: only what of `ids` follows their common prefix is read (at
  // least one token, whose row starts the answer). When the new rendering does not extend
  // the old one, the rows past the common prefix are read over.
  void stream(const std::vector<int32_t>& ids) {
    auto differ = std::mismatch(cached_.begin(), cached_.end(), ids.begin(), ids.end());
    auto keep = static_cast<size_t>(differ.second - ids.begin());
    if (keep == ids.size()) --keep;
    runtime::GenerateOptions gen = opts_.generation;
    gen.start_pos = static_cast<int64_t>(keep);
    bound_by_tokenizer(gen, *m_.tokenizer);
    models::StreamDecoder out(*m_.tokenizer);
    std::vector<int32_t> emitted;
    std::string said;
    g_interrupted = false;
    auto stats =
        runtime::generate(ex_, {ids.begin() + static_cast<std::ptrdiff_t>(keep), ids.end()}, gen, [&](int32_t id) {
          emitted.push_back(id);
          std::string piece = out.push(id);
          said += piece;
          std::cout << piece << std::flush;
          return !g_interrupted;
        });
    std::string rest = out.flush();
    said += rest;
    std::cout << rest << "\n" << std::flush;
    if (g_interrupted) std::fputs("lmc: answer stopped\n", stderr);
    report_speed(stats);
    g_interrupted = false;
    messages_.push_back({{"role", "assistant"}, {"content", said}});
    // The last token shown is not in the cache yet when generation stopped on it.
    cached_ = ids;
    cached_.insert(cached_.end(), emitted.begin(), emitted.end());
    cached_.resize(static_cast<size_t>(stats.end_pos));
  }

  // After each answer, on stderr: what the turn read and generated, and how fast.
  static void report_speed(const runtime::GenerationStats& s) {
    std::fprintf(stderr, "lmc: prompt %lld tokens at %.1f tok/s; answer %lld tokens at %.1f tok/s\n",
                 static_cast<long long>(s.prompt_tokens), s.prefill_tokens_per_second(),
                 static_cast<long long>(s.decode_tokens), s.decode_tokens_per_second());
  }

  const driver::LoadedModel& m_;
  runtime::Executor& ex_;
  const models::ChatTemplate& chat_;
  const ChatOptions& opts_;
  nlohmann::ordered_json messages_;  // the conversation so far
  std::vector<int32_t> cached_;      // the tokens the KV cache holds, position by position
};

// What the chat starts with, said on stderr.
std::string system_words(const models::ChatTemplate& chat, const std::optional<std::string>& system) {
  const std::string& text = system ? *system : chat.default_system();
  if (!text.empty()) return "system message \"" + text + "\"";
  if (system && chat.own_template()) return "an empty system message";
  return system || !chat.own_template() ? "no system message" : "the template's own system message, if any";
}

}  // namespace

std::vector<FlagSpec> chat_flag_specs() {
  std::vector<FlagSpec> specs = {
      {"system",
       true,
       "the system message (default: the model's own, if its chat template has one)",
       "TEXT",
       false,
       "",
       {"system-prompt"},
       {"sys"}},
      {"system-file", true, "the system message, read from FILE", "FILE", false, "", {"system-prompt-file"}, {"sysf"}},
      {"multiline-input",
       false,
       "a message's lines go on until one ends in '\\' or '/' (without it, a line "
       "ending in '\\' goes on to the next)",
       "",
       false,
       "",
       {},
       {"mli"}}};
  for (auto& f : chat_template_flag_specs()) specs.push_back(f);
  return specs;
}

std::optional<std::string> system_message(const Args& a) {
  if (a.has("system") && a.has("system-file")) throw UsageError("give --system or --system-file, not both");
  std::optional<std::string> s = a.get("system");
  if (auto file = a.get("system-file")) {
    std::ifstream in(*file, std::ios::binary);
    std::stringstream text;
    if (!in || !(text << in.rdbuf())) throw Error(*file + ": error: cannot read the system message");
    s = text.str();
    if (s->ends_with('\n')) s->pop_back();  // the file's last line ends, as llama.cpp reads it
  }
  return s;
}

int run_chat(const driver::LoadedModel& m, runtime::Executor& ex, const models::ChatTemplate& rendering,
             const ChatOptions& opts) {
  Chat chat(m, ex, rendering, opts);
  std::fprintf(stderr, "lmc: chatting in %s, %s; Ctrl-C stops an answer, Ctrl-D leaves\n",
               rendering.description().c_str(), system_words(rendering, opts.system).c_str());
  catch_ctrl_c();
  LineEditor lines;
  if (opts.first) chat.answer(*opts.first);
  while (auto message = lines.read_message(opts.multiline)) {
    if (!message->empty()) chat.answer(*message);
  }
  if (isatty(STDIN_FILENO)) std::fputc('\n', stderr);
  return 0;
}

}  // namespace lmc::tools
