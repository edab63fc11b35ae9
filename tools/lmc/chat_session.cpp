#include "tools/lmc/chat_session.h"
#include "tools/lmc/tokenizer_bounds.h"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "support/error.h"
#include "models/chat/chat_conversation.h"
#include "models/tokenizer/tokenizer_stream_decoder.h"
#include "tools/lmc/line_editor.h"

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
  Chat(const driver::LoadedModel& m, runtime::Executor& ex, const ChatOptions& opts)
      : m_(m), ex_(ex), opts_(opts), conversation_(m.info.chat, opts.system) {}

  const std::string& system_prompt() const { return conversation_.system_prompt(); }

  // Streams the answer to one message. When the conversation no longer fits the context, a
  // new one starts; a message that alone does not fit is refused with an error line.
  void answer(const std::string& message) {
    const int64_t context = ex_.info().context;
    std::vector<int32_t> ids = turn_tokens(message);
    if (pos_ + static_cast<int64_t>(ids.size()) >= context) {
      std::fprintf(stderr, "lmc: the conversation has filled the context of %lld tokens; starting a new one\n",
                   static_cast<long long>(context));
      conversation_ = models::Conversation(m_.info.chat, opts_.system);
      pos_ = 0;
      pending_.clear();
      ids = turn_tokens(message);
      if (static_cast<int64_t>(ids.size()) >= context) {
        std::fprintf(stderr, "lmc: error: the message is %zu tokens, more than the context holds\n", ids.size());
        return;
      }
    }
    stream(ids);
  }

 private:
  std::vector<int32_t> turn_tokens(const std::string& message) {
    const models::Tokenizer& tok = *m_.tokenizer;
    std::vector<int32_t> ids = pending_;
    std::vector<int32_t> turn = tok.encode(conversation_.ask(message), pos_ == 0 && tok.wants_bos());
    ids.insert(ids.end(), turn.begin(), turn.end());
    return ids;
  }

  void stream(const std::vector<int32_t>& ids) {
    runtime::GenerateOptions gen = opts_.generation;
    gen.start_pos = pos_;
    bound_by_tokenizer(gen, *m_.tokenizer);
    models::StreamDecoder out(*m_.tokenizer);
    std::vector<int32_t> emitted;
    g_interrupted = false;
    auto stats = runtime::generate(ex_, ids, gen, [&](int32_t id) {
      emitted.push_back(id);
      std::cout << out.push(id) << std::flush;
      return !g_interrupted;
    });
    std::cout << out.flush() << "\n" << std::flush;
    if (g_interrupted) std::fputs("lmc: answer stopped\n", stderr);
    report_speed(stats);
    g_interrupted = false;
    // The last token shown is not in the cache yet when generation stopped on it.
    pending_.clear();
    const auto fed = stats.end_pos - pos_ - static_cast<int64_t>(ids.size());
    if (static_cast<int64_t>(emitted.size()) > fed) pending_.push_back(emitted.back());
    pos_ = stats.end_pos;
  }

  // After each answer, on stderr: what the turn read and generated, and how fast.
  static void report_speed(const runtime::GenerationStats& s) {
    std::fprintf(stderr, "lmc: prompt %lld tokens at %.1f tok/s; answer %lld tokens at %.1f tok/s\n",
                 static_cast<long long>(s.prompt_tokens), s.prefill_tokens_per_second(),
                 static_cast<long long>(s.decode_tokens), s.decode_tokens_per_second());
  }

  const driver::LoadedModel& m_;
  runtime::Executor& ex_;
  const ChatOptions& opts_;
  models::Conversation conversation_;
  int64_t pos_ = 0;
  std::vector<int32_t> pending_;
};

}  // namespace

std::vector<FlagSpec> chat_flag_specs() {
  return {{"system", true, "the system message (default: the model's own, if its chat template has one)", "TEXT",
           false, "", {"system-prompt"}, {"sys"}}};
}

std::optional<std::string> system_message(const Args& a) { return a.get("system"); }

int run_chat(const driver::LoadedModel& m, runtime::Executor& ex, const ChatOptions& opts) {
  Chat chat(m, ex, opts);
  const std::string& system = chat.system_prompt();
  std::fprintf(stderr, "lmc: chatting in the %s format, %s; Ctrl-C stops an answer, Ctrl-D leaves\n",
               m.info.chat.family.c_str(), system.empty() ? "no system message" : ("system message \"" + system + "\"").c_str());
  catch_ctrl_c();
  LineEditor lines;
  if (opts.first) chat.answer(*opts.first);
  while (auto message = lines.read()) {
    if (!message->empty()) chat.answer(*message);
  }
  if (isatty(STDIN_FILENO)) std::fputc('\n', stderr);
  return 0;
}

}  // namespace lmc::tools
